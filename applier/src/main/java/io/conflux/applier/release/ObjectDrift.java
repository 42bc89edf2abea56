package io.conflux.applier.release;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How one release object drifted from what the release wants, in the terms of helm-controller's drift summary
 * ({@code diff.SummarizeDiffSet}): {@code Kind/namespace/name removed} when it is gone, else
 * {@code Kind/namespace/name changed (A additions, C changes, 0 removals)}. Conflux compares the object's desired
 * fields against the live object (the fields the release sets — every value the manifest holds, metadata's labels and
 * annotations only — not the fields others added, which server-side apply leaves to their managers): a desired field
 * absent from the live object is an addition, a different value a change; numbers compare by value, a Secret's
 * {@code stringData} as its base64 {@code data}. Ignored JSON Pointers are left out. Pure.
 *
 * @param subject   {@code Kind/namespace/name} or {@code Kind/name}
 * @param removed   whether the object is gone
 * @param additions desired fields missing from the live object
 * @param changes   desired fields with another value in the live object
 * @param paths     the drifted fields as JSON Pointers (first ten), for logs and tests
 */
public record ObjectDrift(String subject, boolean removed, int additions, int changes, List<String> paths) {
    private static final int MAX_PATHS = 10;

    /** @return helm-controller's one-line summary of this object's drift */
    public String summary() {
        return removed ? subject + " removed"
                : subject + " changed (" + additions + " additions, " + changes + " changes, 0 removals)";
    }

    /**
     * @param subject the object's {@code Kind/namespace/name}
     * @param desired the object as the release renders it (JSON tree)
     * @param live    the object as read from the cluster, or null when it is gone
     * @param ignored JSON Pointers left out of the comparison
     * @return the drift, or empty when the live object holds every desired value
     */
    public static Optional<ObjectDrift> of(String subject, Map<String, Object> desired, Map<String, Object> live,
                                           List<String> ignored) {
        if (live == null) {
            return Optional.of(new ObjectDrift(subject, true, 0, 0, List.of()));
        }
        Map<String, Object> want = comparable(without(desired, ignored));
        Map<String, Object> have = without(live, ignored);
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        compare(want, have, "", added, changed);
        if (added.isEmpty() && changed.isEmpty()) {
            return Optional.empty();
        }
        List<String> paths = new ArrayList<>(added);
        paths.addAll(changed);
        return Optional.of(new ObjectDrift(subject, false, added.size(), changed.size(),
                List.copyOf(paths.subList(0, Math.min(MAX_PATHS, paths.size())))));
    }

    /**
     * @param object  a JSON tree
     * @param pointers JSON Pointers (RFC 6901: {@code ~1} is {@code /}, {@code ~0} is {@code ~}); a pointer to nothing
     *                 is ignored
     * @return a deep copy of {@code object} without the values the pointers name
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> without(Map<String, Object> object, List<String> pointers) {
        Map<String, Object> copy = (Map<String, Object>) deepCopy(object);
        for (String pointer : pointers) {
            if (pointer.isEmpty()) {
                continue;
            }
            String[] tokens = pointer.substring(1).split("/", -1);
            Object node = copy;
            for (int i = 0; i < tokens.length && node != null; i++) {
                String token = tokens[i].replace("~1", "/").replace("~0", "~");
                boolean last = i == tokens.length - 1;
                if (node instanceof Map<?, ?> m) {
                    if (last) {
                        ((Map<String, Object>) m).remove(token);
                    }
                    node = m.get(token);
                } else if (node instanceof List<?> l && token.matches("\\d+") && Integer.parseInt(token) < l.size()) {
                    if (last) {
                        ((List<Object>) l).remove(Integer.parseInt(token));
                        node = null;
                    } else {
                        node = l.get(Integer.parseInt(token));
                    }
                } else {
                    node = null;
                }
            }
        }
        return copy;
    }

    /** The fields of {@code desired} a release sets: no status, metadata's labels and annotations only. */
    private static Map<String, Object> comparable(Map<String, Object> desired) {
        Map<String, Object> out = new LinkedHashMap<>(desired);
        out.remove("status");
        out.remove("apiVersion");
        out.remove("kind");
        if (desired.get("metadata") instanceof Map<?, ?> m) {
            Map<String, Object> meta = new LinkedHashMap<>();
            if (m.get("labels") != null) {
                meta.put("labels", m.get("labels"));
            }
            if (m.get("annotations") != null) {
                meta.put("annotations", m.get("annotations"));
            }
            out.put("metadata", meta);
        }
        if ("Secret".equals(desired.get("kind")) && desired.get("stringData") instanceof Map<?, ?> sd) {
            Map<String, Object> data = out.get("data") instanceof Map<?, ?> d ? new LinkedHashMap<>(cast(d)) : new LinkedHashMap<>();
            sd.forEach((k, v) -> data.put(String.valueOf(k),
                    Base64.getEncoder().encodeToString(String.valueOf(v).getBytes(StandardCharsets.UTF_8))));
            out.remove("stringData");
            out.put("data", data);
        }
        return out;
    }

    private static void compare(Object want, Object have, String path, List<String> added, List<String> changed) {
        if (want instanceof Map<?, ?> w) {
            if (!(have instanceof Map<?, ?> h)) {
                changed.add(path.isEmpty() ? "/" : path);
                return;
            }
            for (Map.Entry<?, ?> e : w.entrySet()) {
                String child = path + "/" + String.valueOf(e.getKey()).replace("~", "~0").replace("/", "~1");
                if (!h.containsKey(e.getKey())) {
                    if (e.getValue() != null && !(e.getValue() instanceof Map<?, ?> em && em.isEmpty())) {
                        added.add(child);
                    }
                } else {
                    compare(e.getValue(), h.get(e.getKey()), child, added, changed);
                }
            }
            return;
        }
        if (want instanceof List<?> w) {
            if (!(have instanceof List<?> h) || h.size() != w.size()) {
                changed.add(path);
                return;
            }
            for (int i = 0; i < w.size(); i++) {
                compare(w.get(i), h.get(i), path + "/" + i, added, changed);
            }
            return;
        }
        if (!same(want, have)) {
            changed.add(path);
        }
    }

    private static boolean same(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return new BigDecimal(x.toString()).compareTo(new BigDecimal(y.toString())) == 0;
        }
        return a == null ? b == null : a.equals(b);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    private static Object deepCopy(Object o) {
        if (o instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), deepCopy(v)));
            return out;
        }
        if (o instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(v -> out.add(deepCopy(v)));
            return out;
        }
        return o;
    }
}

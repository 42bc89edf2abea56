package io.conflux.applier.release;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A HelmRelease's {@code status.history} as helm-controller v2 writes it ({@code api/v2/snapshot_types.go},
 * {@code Snapshot}; {@code internal/release/observation.go}, {@code ObservedToSnapshot}), made from the release records
 * in Helm's storage ({@link ReleaseRecords}, decoded): one snapshot per record, newest (highest version) first, at most
 * {@code maxHistory} (0: every record kept). Each snapshot has {@code digest} ({@code sha256:} of the record's JSON),
 * {@code name}, {@code namespace}, {@code version}, {@code status} (Helm's: {@code deployed}, {@code superseded},
 * {@code failed}, …), {@code chartName}, {@code chartVersion}, {@code appVersion} (when the chart has one),
 * {@code configDigest} ({@link FluxDigest#values} of the record's {@code config}), {@code firstDeployed},
 * {@code lastDeployed} and {@code deleted} (when set; RFC 3339 in seconds, as {@code metav1.Time}), {@code testHooks}
 * (the chart's test hooks that ran: name → {@code lastStarted}, {@code lastCompleted}, {@code phase}) and
 * {@code ociDigest} (the OCIRepository artifact digest the chart came from, {@link ReleaseRecords#OCI_DIGEST}).
 * The list is cut as helm-controller's {@code Snapshots.Truncate} cuts it once the release is in sync or before a
 * remediation: the latest snapshot and those after it down to the previous one that is {@code deployed} or
 * {@code superseded} (and, unless tests are ignored, has no test hook in phase {@code Failed}), so that a rollback target
 * stays known; when there is none, the newest {@value #DEFAULT_MAX_HISTORY} (helm-controller's
 * {@code defaultMaxHistory}, whatever {@code spec.maxHistory} says — that bounds Helm's storage, {@link ReleaseRecords}).
 * As helm-controller, the history is the status's own, not a listing of Helm's storage ({@link #merge}): after an
 * upgrade or a rollback the snapshots of the records written or updated (read back from the storage) replace those of
 * the same version in the previous {@code status.history}, and a snapshot whose record {@code maxHistory} trimmed stays
 * until {@code Truncate} cuts it; an install starts a new history ({@code ClearHistory}); an uninstall keeps it, the
 * latest snapshot {@code uninstalled} with its {@code deleted} time ({@link #uninstalled}). Pure functions.
 */
public final class ReleaseSnapshots {
    /** helm-controller's {@code defaultMaxHistory}: the bound of a history without a previous release. */
    static final int DEFAULT_MAX_HISTORY = 5;
    private static final ObjectMapper JSON = new ObjectMapper();

    private ReleaseSnapshots() {
    }

    /**
     * @param records     decoded release records of one release, any order
     * @param ignoreTests whether a snapshot with a failed test hook may be the previous release (helm-controller's
     *                    {@code test.ignoreFailures}, or the active remediation's {@code ignoreTestFailures})
     * @return the snapshots, newest first, as JSON trees, cut as helm-controller's {@code Truncate}
     */
    public static List<Map<String, Object>> of(List<Map<String, Object>> records, boolean ignoreTests) {
        List<Map<String, Object>> sorted = new ArrayList<>(records);
        sorted.sort(Comparator.comparingInt((Map<String, Object> r) -> number(r.get("version"))).reversed());
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> record : sorted) {
            out.add(snapshot(record));
        }
        return List.copyOf(truncate(out, ignoreTests));
    }

    /**
     * helm-controller's history after an action ({@code observedReleases.recordOnObject}, {@code observeUninstall},
     * then {@code Truncate}): the snapshots of {@code records}, and those of {@code previous} of the same release whose
     * version no record has (their records trimmed by {@code maxHistory}, or deleted by an uninstall), newest first, cut.
     *
     * @param records     decoded release records of the release as the action left them, any order
     * @param previous    the HelmRelease's {@code status.history} before the action (empty after an install, which
     *                    starts a new history); snapshots of another release name or namespace are dropped
     * @param name        the release name
     * @param namespace   the release namespace
     * @param ignoreTests as in {@link #of}
     * @return the snapshots, newest first, as JSON trees, cut as helm-controller's {@code Truncate}
     */
    public static List<Map<String, Object>> merge(List<Map<String, Object>> records, List<Map<String, Object>> previous,
                                                  String name, String namespace, boolean ignoreTests) {
        Map<Integer, Map<String, Object>> byVersion = new java.util.TreeMap<>(Comparator.reverseOrder());
        for (Map<String, Object> s : previous) {
            if (name.equals(s.get("name")) && namespace.equals(s.get("namespace"))) {
                byVersion.put(number(s.get("version")), s);
            }
        }
        for (Map<String, Object> record : records) {
            byVersion.put(number(record.get("version")), snapshot(record));
        }
        return List.copyOf(truncate(new ArrayList<>(byVersion.values()), ignoreTests));
    }

    /**
     * @param records decoded release records of a release about to be uninstalled
     * @param deleted when it was uninstalled
     * @return the records as Helm's uninstall leaves them before it purges them: the latest {@code uninstalled}, with
     *         {@code info.deleted}; the others as they were
     */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> uninstalled(List<Map<String, Object>> records, Instant deleted) {
        int latest = records.stream().mapToInt(r -> number(r.get("version"))).max().orElse(0);
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> record : records) {
            if (number(record.get("version")) == latest) {
                Map<String, Object> copy = new LinkedHashMap<>(record);
                Map<String, Object> info = new LinkedHashMap<>(
                        record.get("info") instanceof Map<?, ?> i ? (Map<String, Object>) i : Map.of());
                info.put("status", "uninstalled");
                info.put("deleted", deleted.toString());
                copy.put("info", info);
                out.add(copy);
            } else {
                out.add(record);
            }
        }
        return out;
    }

    /** helm-controller's {@code Snapshots.Truncate} over snapshots sorted newest first. */
    private static List<Map<String, Object>> truncate(List<Map<String, Object>> newestFirst, boolean ignoreTests) {
        for (int i = 1; i < newestFirst.size(); i++) {
            Map<String, Object> s = newestFirst.get(i);
            boolean released = "deployed".equals(s.get("status")) || "superseded".equals(s.get("status"));
            if (released && (ignoreTests || !hasFailedTest(s))) {
                return newestFirst.subList(0, i + 1);
            }
        }
        return newestFirst.size() > DEFAULT_MAX_HISTORY ? newestFirst.subList(0, DEFAULT_MAX_HISTORY) : newestFirst;
    }

    private static boolean hasFailedTest(Map<String, Object> snapshot) {
        return snapshot.get("testHooks") instanceof Map<?, ?> tests && tests.values().stream()
                .anyMatch(t -> t instanceof Map<?, ?> run && "Failed".equals(run.get("phase")));
    }

    /** @return the snapshot of one decoded record */
    @SuppressWarnings("unchecked")
    static Map<String, Object> snapshot(Map<String, Object> record) {
        Map<String, Object> info = record.get("info") instanceof Map<?, ?> i ? (Map<String, Object>) i : Map.of();
        Map<String, Object> chart = record.get("chart") instanceof Map<?, ?> c ? (Map<String, Object>) c : Map.of();
        Map<String, Object> metadata = chart.get("metadata") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        Map<String, Object> config = record.get("config") instanceof Map<?, ?> c ? (Map<String, Object>) c : Map.of();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("digest", recordDigest(record));
        s.put("name", String.valueOf(record.get("name")));
        s.put("namespace", String.valueOf(record.get("namespace")));
        s.put("version", number(record.get("version")));
        s.put("status", String.valueOf(info.getOrDefault("status", "unknown")));
        s.put("chartName", String.valueOf(metadata.getOrDefault("name", "")));
        s.put("chartVersion", String.valueOf(metadata.getOrDefault("version", "")));
        if (metadata.get("appVersion") != null && !String.valueOf(metadata.get("appVersion")).isEmpty()) {
            s.put("appVersion", String.valueOf(metadata.get("appVersion")));
        }
        s.put("configDigest", FluxDigest.values(config));
        s.put("firstDeployed", seconds(info.get("first_deployed")));
        s.put("lastDeployed", seconds(info.get("last_deployed")));
        if (info.get("deleted") != null && !String.valueOf(info.get("deleted")).isEmpty()) {
            s.put("deleted", seconds(info.get("deleted")));
        }
        Map<String, Object> tests = testHooks(record);
        if (!tests.isEmpty()) {
            s.put("testHooks", tests);
        }
        if (record.get(ReleaseRecords.OCI_DIGEST) instanceof String oci && !oci.isEmpty()) {
            s.put("ociDigest", oci);
        }
        return s;
    }

    /** @return the test hooks of the record that ran, by name, in helm-controller's {@code TestHookStatus} shape */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> testHooks(Map<String, Object> record) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (!(record.get("hooks") instanceof List<?> hooks)) {
            return out;
        }
        for (Object h : hooks) {
            if (!(h instanceof Map<?, ?> hook) || !(hook.get("events") instanceof List<?> events) || !events.contains("test")
                    || !(hook.get("last_run") instanceof Map<?, ?> run) || run.get("phase") == null
                    || String.valueOf(run.get("phase")).isEmpty()) {
                continue;
            }
            Map<String, Object> status = new LinkedHashMap<>();
            status.put("lastStarted", seconds(run.get("started_at")));
            status.put("lastCompleted", seconds(run.get("completed_at")));
            status.put("phase", String.valueOf(run.get("phase")));
            out.put(String.valueOf(((Map<String, Object>) hook).get("name")), status);
        }
        return out;
    }

    private static String recordDigest(Map<String, Object> record) {
        try {
            return FluxDigest.sha256(JSON.writeValueAsString(record).getBytes(StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("release record cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** @return an RFC 3339 time in whole seconds ({@code metav1.Time}'s format), null when absent or unreadable */
    private static String seconds(Object time) {
        if (time == null || String.valueOf(time).isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(String.valueOf(time)).truncatedTo(ChronoUnit.SECONDS).toString();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static int number(Object value) {
        return value instanceof Number n ? n.intValue() : 0;
    }
}

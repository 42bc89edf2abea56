package io.conflux.embedded;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;

/**
 * The watches of the in-memory store, with kube-apiserver's delivery guarantees (its {@code cacheWatcher}, and the
 * "Efficient detection of changes" section of the API concepts): a watch opened at {@code resourceVersion} X gets
 * every change of a matching object committed after X, each once, in resourceVersion order; without a
 * resourceVersion (or at "0") it first gets every matching object as {@code ADDED}, then every later change; at an X
 * older than {@link WatchHistory} keeps, one {@code ERROR} event with a {@code 410 Expired} Status, and the watch ends
 * (an informer lists again). An object that stops matching a watch's selector is {@code DELETED} for it, one that
 * starts matching {@code ADDED}; a {@code DELETED} event carries the object's last state at the deletion's
 * resourceVersion.
 *
 * <p>fabric8's mock watch (which this replaces) started every watch with all matching objects as {@code ADDED},
 * whatever its resourceVersion, and lost the changes committed between the watch request and the WebSocket's
 * opening (its events were sent to a socket it did not have yet).
 *
 * <p>Thread-safety: a watch is attached (its first events and its registration) under the store's read lock, and
 * {@link #committed} is called under its write lock, so no change falls between a watch's start and its live events;
 * the registry itself is concurrent, since watches end on the server's event-loop threads.
 */
final class StoreWatches {

    /** The kind of store lookup a watch's start needs: the stored objects matching a query, in store order. */
    interface Store {
        /**
         * @param query a watch's attributes
         * @return the matching keys and JSON
         */
        List<Map.Entry<AttributeSet, String>> find(AttributeSet query);
    }

    private final Lock readLock;
    private final Store store;
    private final WatchHistory history = new WatchHistory();
    /** Open watches by the plural they watch ("" for a watch of every resource). */
    private final Map<String, Set<StoreWatch>> open = new ConcurrentHashMap<>();

    /**
     * @param readLock the store's read lock (its writes call {@link #committed} under the write lock)
     * @param store    the store's lookup
     */
    StoreWatches(Lock readLock, Store store) {
        this.readLock = readLock;
        this.store = store;
    }

    /**
     * Answers a watch request: a WebSocket upgrade whose listener starts the watch when the socket opens.
     *
     * @param query the request's attributes ({@code KubernetesAttributesExtractor.fromPath}: resource, namespace,
     *              label and field selectors)
     * @param path  the request path, whose {@code resourceVersion} and {@code fieldSelector=metadata.name=} are read
     * @return the upgrade response
     */
    MockResponse open(AttributeSet query, String path) {
        String name = queryParameter(path, "fieldSelector").map(StoreWatches::metadataName).orElse(null);
        AttributeSet watched = name == null ? query
            : query.add(new Attribute(KubernetesAttributesExtractor.NAME, name));
        Optional<Long> from = queryParameter(path, "resourceVersion").filter(v -> !v.isEmpty() && !"0".equals(v))
            .flatMap(StoreWatches::number);
        return new MockResponse().withWebSocketUpgrade(new StoreWatch(watched, from, this::attach, this::detach));
    }

    /**
     * Starts {@code watch}: its first events and its registration for every later change, under the read lock.
     *
     * @return false when the watch's resourceVersion is too old (it got the {@code 410} event only)
     */
    private boolean attach(StoreWatch watch) {
        readLock.lock();
        try {
            String plural = WatchHistory.plural(watch.query());
            if (watch.from().isEmpty()) {
                for (Map.Entry<AttributeSet, String> object : store.find(watch.query())) {
                    watch.send(event("ADDED", object.getValue()));
                }
            } else {
                long from = watch.from().get();
                Optional<List<StoreChange>> since = plural.isEmpty() ? Optional.empty()
                    : history.since(plural, from);
                if (since.isEmpty()) {
                    watch.send(expired(from, history.oldest(plural)));
                    return false;
                }
                since.get().forEach(change -> deliver(watch, change));
            }
            open.computeIfAbsent(plural, p -> ConcurrentHashMap.newKeySet()).add(watch);
            return true;
        } finally {
            readLock.unlock();
        }
    }

    private void detach(StoreWatch watch) {
        Set<StoreWatch> watches = open.get(WatchHistory.plural(watch.query()));
        if (watches != null) {
            watches.remove(watch);
        }
    }

    /** Records a committed change and sends it to every open watch it concerns; called under the write lock. */
    void committed(StoreChange change) {
        history.record(change);
        deliverAll(open.get(change.plural()), change);
        deliverAll(open.get(""), change);
    }

    /** Forgets the history (the store was emptied); open watches stay. Called under the write lock. */
    void clear() {
        history.clear();
    }

    private static void deliverAll(Set<StoreWatch> watches, StoreChange change) {
        if (watches != null) {
            for (StoreWatch watch : watches) {
                deliver(watch, change);
            }
        }
    }

    /** Sends {@code change} to {@code watch} as kube-apiserver's cacheWatcher converts it, if it concerns it. */
    private static void deliver(StoreWatch watch, StoreChange change) {
        boolean before = change.oldKey() != null && change.oldKey().matches(watch.query());
        boolean after = change.newKey() != null && change.newKey().matches(watch.query());
        if (before && after) {
            watch.send(event("MODIFIED", change.newState()));
        } else if (after) {
            watch.send(event("ADDED", change.newState()));
        } else if (before) {
            watch.send(event("DELETED", atVersion(change.oldState(), change.resourceVersion())));
        }
    }

    /** @return {@code json} (an object) with {@code metadata.resourceVersion} set to {@code resourceVersion} */
    static String atVersion(String json, long resourceVersion) {
        if (Json.read(json) instanceof ObjectNode object) {
            Json.object(object, "metadata").put("resourceVersion", String.valueOf(resourceVersion));
            return Json.write(object);
        }
        return json;
    }

    /** @return a watch event's JSON, its fields in the order of fabric8's {@code WatchEvent} */
    private static String event(String type, String object) {
        return "{\"object\":" + object + ",\"type\":\"" + type + "\"}";
    }

    /** kube-apiserver's answer to a watch from a resourceVersion its watch cache no longer holds. */
    private static String expired(long from, long oldest) {
        ObjectNode status = Json.MAPPER.createObjectNode();
        status.put("kind", "Status").put("apiVersion", "v1").putObject("metadata");
        status.put("status", "Failure").put("message", "too old resource version: " + from + " (" + oldest + ")")
            .put("reason", "Expired").put("code", 410);
        return event("ERROR", Json.write(status));
    }

    private static Optional<String> queryParameter(String path, String name) {
        int q = path.indexOf('?');
        if (q < 0) {
            return Optional.empty();
        }
        for (String parameter : path.substring(q + 1).split("&")) {
            int eq = parameter.indexOf('=');
            String key = eq < 0 ? parameter : parameter.substring(0, eq);
            if (key.equals(name)) {
                return Optional.of(eq < 0 ? "" : URLDecoder.decode(parameter.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }

    /** @return the name of a {@code metadata.name=<name>} (or {@code ==}) requirement of a field selector, else null */
    private static String metadataName(String fieldSelector) {
        for (String requirement : fieldSelector.split(",")) {
            String r = requirement.trim();
            for (String op : new String[] {"metadata.name==", "metadata.name="}) {
                if (r.startsWith(op) && r.length() > op.length()) {
                    return r.substring(op.length());
                }
            }
        }
        return null;
    }

    private static Optional<Long> number(String text) {
        try {
            return Optional.of(Long.parseLong(text));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}

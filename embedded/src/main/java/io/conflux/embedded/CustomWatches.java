package io.conflux.embedded;

import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * The open watches of custom resources, and the custom types whose CRD was removed, so that the in-memory API server
 * behaves as kube-apiserver does when a CRD (or one of its served versions) goes away: the watches open on it are
 * ended (kube-apiserver ends their streams; here the WebSocket is closed with code {@value #GONE_CODE}, so the client
 * watches again and meets the 404 its paths now answer), and requests to the paths of a removed CRD answer 404 until
 * a CRD serving them is written again. A custom path whose CRD was never installed is not refused (the store keeps
 * serving it, as the tests that create custom objects without a CRD expect). Thread-safe.
 */
final class CustomWatches {
    /** The close code of a watch ended because its resource is no longer served: a normal closure. */
    static final int GONE_CODE = 1000;

    /** An open watch: the group, plural and version its path names, and the server side of its WebSocket. */
    record Open(String group, String plural, String version, WebSocket socket) {
    }

    private final List<Open> open = new CopyOnWriteArrayList<>();
    private final Set<String> removed = ConcurrentHashMap.newKeySet();

    /**
     * @param listener the store's watch listener
     * @param group    the group of the watched path
     * @param plural   its plural
     * @param version  its version
     * @return a listener recording the watch while it is open
     */
    WebSocketListener track(WebSocketListener listener, String group, String plural, String version) {
        return new Tracking(listener, group, plural, version);
    }

    /** @return whether the custom type {@code group/plural} had a CRD that was removed and has not come back */
    boolean removed(String group, String plural) {
        return removed.contains(group + "/" + plural);
    }

    /**
     * Applies a change of the CRDs: remembers the types removed, forgets those back, and closes every open watch
     * whose version {@code served} no longer serves.
     *
     * @param before the custom types before the change
     * @param after  the custom types after it
     * @param served whether an open watch's version of its type is served now
     */
    void crdsChanged(List<CrdRegistry.CustomType> before, List<CrdRegistry.CustomType> after, Predicate<Open> served) {
        Set<String> now = ConcurrentHashMap.newKeySet();
        after.forEach(t -> now.add(t.group() + "/" + t.plural()));
        before.stream().map(t -> t.group() + "/" + t.plural()).filter(k -> !now.contains(k)).forEach(removed::add);
        removed.removeAll(now);
        for (Open watch : open) {
            if (!served.test(watch)) {
                open.remove(watch);
                watch.socket().close(GONE_CODE, "the server could not find the requested resource");
            }
        }
    }

    /** Records its WebSocket while the watch is open, forwarding every callback. */
    private final class Tracking extends WebSocketListener {
        private final WebSocketListener delegate;
        private final String group;
        private final String plural;
        private final String version;

        Tracking(WebSocketListener delegate, String group, String plural, String version) {
            this.delegate = delegate;
            this.group = group;
            this.plural = plural;
            this.version = version;
        }

        private void forget(WebSocket ws) {
            open.removeIf(o -> o.socket() == ws);
        }

        @Override
        public void onBeforeAccept(WebSocket ws, Response response) {
            delegate.onBeforeAccept(ws, response);
        }

        @Override
        public void onOpen(WebSocket ws, Response response) {
            open.add(new Open(group, plural, version, ws));
            delegate.onOpen(ws, response);
        }

        @Override
        public void onMessage(WebSocket ws, String text) {
            delegate.onMessage(ws, text);
        }

        @Override
        public void onMessage(WebSocket ws, byte[] bytes) {
            delegate.onMessage(ws, bytes);
        }

        @Override
        public void onClosing(WebSocket ws, int code, String reason) {
            forget(ws);
            delegate.onClosing(ws, code, reason);
        }

        @Override
        public void onClosed(WebSocket ws, int code, String reason) {
            forget(ws);
            delegate.onClosed(ws, code, reason);
        }

        @Override
        public void onFailure(WebSocket ws, Throwable t, Response response) {
            forget(ws);
            delegate.onFailure(ws, t, response);
        }
    }
}

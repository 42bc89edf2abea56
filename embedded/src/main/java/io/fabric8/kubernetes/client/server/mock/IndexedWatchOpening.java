package io.fabric8.kubernetes.client.server.mock;

import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * Opens one of fabric8's watches (its {@code WatchEventsListener}, package-private in fabric8 7.4, hence this class in
 * fabric8's package) with an opening replay the caller supplies, for Conflux's indexed store
 * ({@code io.conflux.embedded.IndexedCrudDispatcher}): fabric8's {@code KubernetesCrudDispatcher.handleWatch} builds
 * the same listener with a replay that scans every stored object. Nothing else of fabric8's watch changes: the
 * listener is registered in the dispatcher's set, where {@code processEvent} sends it each later change.
 */
public final class IndexedWatchOpening {

    private IndexedWatchOpening() {
    }

    /**
     * Creates fabric8's watch listener for {@code query} and adds it to {@code listeners}.
     *
     * @param context   the dispatcher's mock context (its JSON mapper)
     * @param query     the watch's attributes, as fabric8's {@code handleWatch} computes them
     * @param listeners the dispatcher's set of open watches ({@code KubernetesCrudDispatcher.watchEventListeners})
     * @param log       where the listener logs its failures
     * @param replay    called once on the websocket's opening with a sender that sends one stored object's JSON as an
     *                  {@code ADDED} event; the caller sends every object the watch matches, in store order
     * @return the listener, for {@code MockResponse.withWebSocketUpgrade}
     */
    @SuppressWarnings("unchecked")
    public static WebSocketListener open(Context context, AttributeSet query, Set<?> listeners, Logger log,
                                         Consumer<Consumer<String>> replay) {
        Set<WatchEventsListener> open = (Set<WatchEventsListener>) listeners;
        WatchEventsListener listener = new WatchEventsListener(context, query, open, log,
            watch -> replay.accept(json -> watch.sendWebSocketResponse(json, Watcher.Action.ADDED)));
        open.add(listener);
        return listener;
    }
}

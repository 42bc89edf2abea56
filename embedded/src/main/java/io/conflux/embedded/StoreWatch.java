package io.conflux.embedded;

import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One watch of the in-memory store, the server side of its WebSocket: started by {@link StoreWatches} when the socket
 * opens (no event can be sent before), then sent each change as it is committed, until the client or the server
 * closes it. Events are JSON texts {@code {"object":{...},"type":"ADDED|MODIFIED|DELETED|ERROR"}}, one WebSocket
 * message each, written in the order they are given (Vert.x queues the writes of a socket in order; a slow client
 * gets them late, none is dropped).
 */
final class StoreWatch extends WebSocketListener {
    /** The close code after a {@code 410} event: a normal closure, as kube-apiserver ends the stream. */
    private static final int NORMAL_CLOSURE = 1000;

    private final AttributeSet query;
    private final Optional<Long> from;
    private final Predicate<StoreWatch> attach;
    private final Consumer<StoreWatch> detach;
    private WebSocket socket;
    private boolean ended;

    /**
     * @param query  the attributes an object's store key must match ({@code AttributeSet.matches})
     * @param from   the watch's resourceVersion; empty to start with every matching object as {@code ADDED}
     * @param attach starts the watch once its socket is open: sends its first events and registers it for the
     *               changes to come; false when it could not start (it was sent the reason)
     * @param detach unregisters it when it ends
     */
    StoreWatch(AttributeSet query, Optional<Long> from, Predicate<StoreWatch> attach, Consumer<StoreWatch> detach) {
        this.query = query;
        this.from = from;
        this.attach = attach;
        this.detach = detach;
    }

    /** @return the attributes an object's store key must match */
    AttributeSet query() {
        return query;
    }

    /** @return the resourceVersion the watch starts after; empty for a start from the current objects */
    Optional<Long> from() {
        return from;
    }

    /** Sends one event (a JSON text); dropped once the watch has ended. */
    synchronized void send(String event) {
        if (!ended && socket != null) {
            socket.send(event);
        }
    }

    @Override
    public void onOpen(WebSocket ws, Response response) {
        synchronized (this) {
            socket = ws;
        }
        if (!attach.test(this)) {
            end();
            ws.close(NORMAL_CLOSURE, "too old resource version");
        }
    }

    @Override
    public void onClosing(WebSocket ws, int code, String reason) {
        end();
        ws.close(code, reason);
    }

    @Override
    public void onClosed(WebSocket ws, int code, String reason) {
        end();
    }

    @Override
    public void onFailure(WebSocket ws, Throwable t, Response response) {
        end();
        ws.close(NORMAL_CLOSURE, t.getMessage());
    }

    private void end() {
        synchronized (this) {
            ended = true;
        }
        detach.accept(this);
    }
}

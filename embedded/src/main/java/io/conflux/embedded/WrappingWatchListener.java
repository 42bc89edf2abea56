package io.conflux.embedded;

import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;

/**
 * A watch's listener that hands its delegate (fabric8's listener, possibly wrapped already) every call with the
 * watch's socket replaced by {@link #wrapSocket}'s, made once per socket: the way the in-memory API server changes what
 * a watch sends ({@link UnfragmentedWatch}, {@link VersionRewritingWatch}) without reaching into fabric8's listener.
 */
abstract class WrappingWatchListener extends WebSocketListener {

    private final WebSocketListener delegate;
    private WebSocket original;
    private WebSocket wrapped;

    /** @param delegate the listener that sees the wrapped socket */
    WrappingWatchListener(WebSocketListener delegate) {
        this.delegate = delegate;
    }

    /**
     * @param ws the watch's socket, as the mock server made it
     * @return the socket the delegate writes to instead ({@code ws} itself to change nothing)
     */
    abstract WebSocket wrapSocket(WebSocket ws);

    private synchronized WebSocket wrap(WebSocket ws) {
        if (ws != original) {
            original = ws;
            wrapped = wrapSocket(ws);
        }
        return wrapped;
    }

    @Override
    public void onBeforeAccept(WebSocket ws, Response response) {
        delegate.onBeforeAccept(wrap(ws), response);
    }

    @Override
    public void onOpen(WebSocket ws, Response response) {
        delegate.onOpen(wrap(ws), response);
    }

    @Override
    public void onMessage(WebSocket ws, String text) {
        delegate.onMessage(wrap(ws), text);
    }

    @Override
    public void onMessage(WebSocket ws, byte[] bytes) {
        delegate.onMessage(wrap(ws), bytes);
    }

    @Override
    public void onClosing(WebSocket ws, int code, String reason) {
        delegate.onClosing(wrap(ws), code, reason);
    }

    @Override
    public void onClosed(WebSocket ws, int code, String reason) {
        delegate.onClosed(wrap(ws), code, reason);
    }

    @Override
    public void onFailure(WebSocket ws, Throwable t, Response response) {
        delegate.onFailure(wrap(ws), t, response);
    }
}

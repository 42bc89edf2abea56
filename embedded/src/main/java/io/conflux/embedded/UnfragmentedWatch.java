package io.conflux.embedded;

import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import java.lang.reflect.Field;

/**
 * Wraps a watch's listener so that every event goes out in one WebSocket frame, whatever its size, as kube-apiserver
 * sends it (its WebSocket watch writes each event with golang.org/x/net/websocket, one frame per message).
 *
 * <p>fabric8's mock server writes with Vert.x' {@code writeTextMessage}, which splits a message into frames of the
 * server's {@code maxWebSocketFrameSize} (64 KiB, not configurable through the mock). fabric8's own Vert.x client
 * reads a watch one frame at a time: it pauses the socket in its message handler and {@code fetch(1)}es after each
 * message; a message of two frames gets its first frame, never completes, and nothing is fetched again, so the watch
 * stalls for good at the first event over 64 KiB and every later event is lost to it (fabric8's
 * {@code VertxHttpClientBuilder}: "the api-server does not seem to fragment messages"). A re-watch replays the same
 * large object first and stalls again. In Conflux the {@code flux-system} Kustomization's status lists every object it
 * applied ({@code status.inventory}: ~84 bytes each, over 64 KiB past ~800 Kustomizations), so a watch of the
 * Kustomizations of {@code flux-system} stopped there.
 *
 * <p>The mock's socket ({@code io.fabric8.mockwebserver.vertx.VertxMockWebSocket}) keeps its Vert.x socket in the
 * private field {@code webSocket} (fabric8 7.4), read once per watch by reflection; a socket of another class is used
 * as it is.
 */
final class UnfragmentedWatch extends WrappingWatchListener {

    /** {@code VertxMockWebSocket.webSocket}. */
    private static final Field VERTX_SOCKET = vertxSocketField();

    /** @param delegate the watch's listener (fabric8's, possibly wrapped), which sees the one-frame socket */
    UnfragmentedWatch(WebSocketListener delegate) {
        super(delegate);
    }

    @Override
    WebSocket wrapSocket(WebSocket ws) {
        ServerWebSocket socket = vertxSocket(ws);
        return socket == null ? ws : new OneFrame(ws, socket);
    }

    /** The mock's socket, writing each message as one final frame on its Vert.x socket. */
    private record OneFrame(WebSocket ws, ServerWebSocket socket) implements WebSocket {

        @Override
        public RecordedRequest request() {
            return ws.request();
        }

        @Override
        public boolean send(String text) {
            return sent(socket.writeFrame(WebSocketFrame.textFrame(text, true)));
        }

        @Override
        public boolean send(byte[] bytes) {
            return sent(socket.writeFrame(WebSocketFrame.binaryFrame(Buffer.buffer(bytes), true)));
        }

        @Override
        public boolean close(int code, String reason) {
            return ws.close(code, reason);
        }

        /** As the mock's socket answers: false only for a write known to have failed already. */
        private static boolean sent(Future<Void> write) {
            return !write.isComplete() || write.succeeded();
        }
    }

    private static ServerWebSocket vertxSocket(WebSocket ws) {
        if (!VERTX_SOCKET.getDeclaringClass().isInstance(ws)) {
            return null;
        }
        try {
            return VERTX_SOCKET.get(ws) instanceof ServerWebSocket socket ? socket : null;
        } catch (IllegalAccessException e) {
            return null;
        }
    }

    private static Field vertxSocketField() {
        try {
            Field field = Class.forName("io.fabric8.mockwebserver.vertx.VertxMockWebSocket",
                false, UnfragmentedWatch.class.getClassLoader()).getDeclaredField("webSocket");
            field.setAccessible(true);
            return field;
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("fabric8's VertxMockWebSocket has no field 'webSocket' (7.4 has): watch "
                + "events over 64 KiB would be split into frames that fabric8's client never reads to the end", e);
        }
    }
}

package io.conflux.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;

/**
 * Wraps the mock's watch listener so that events of a watch opened at a non-storage version of a multi-version
 * CRD carry the {@code apiVersion} the client asked for (the store holds only the storage version).
 */
final class VersionRewritingWatch extends WrappingWatchListener {

    private final String apiVersion;

    VersionRewritingWatch(WebSocketListener delegate, String apiVersion) {
        super(delegate);
        this.apiVersion = apiVersion;
    }

    @Override
    WebSocket wrapSocket(WebSocket ws) {
        return new Rewriting(ws);
    }

    /** Rewrites {@code object.apiVersion} of outgoing watch events. */
    private final class Rewriting implements WebSocket {
        private final WebSocket ws;

        Rewriting(WebSocket ws) {
            this.ws = ws;
        }

        @Override
        public RecordedRequest request() {
            return ws.request();
        }

        @Override
        public boolean send(String text) {
            return ws.send(rewrite(text));
        }

        @Override
        public boolean send(byte[] bytes) {
            return ws.send(rewrite(new String(bytes, java.nio.charset.StandardCharsets.UTF_8))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        @Override
        public boolean close(int code, String reason) {
            return ws.close(code, reason);
        }

        private String rewrite(String event) {
            try {
                JsonNode node = Json.read(event);
                if (node instanceof ObjectNode e && !"ERROR".equals(e.path("type").asText())
                    && e.get("object") instanceof ObjectNode object && object.has("apiVersion")) {
                    object.put("apiVersion", apiVersion);
                    return Json.write(e);
                }
            } catch (RuntimeException notJson) {
                return event;
            }
            return event;
        }
    }
}

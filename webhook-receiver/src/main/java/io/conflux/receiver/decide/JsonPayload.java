package io.conflux.receiver.decide;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.service.JsonBounds;
import java.io.IOException;

/**
 * The JSON check of a GitHub or GitLab webhook body. Nothing in the payload is acted on: as in Flux's
 * notification-controller, a webhook only asks for a reconciliation, and what a GitRepository points at is what its
 * remote's ref resolves to ({@link RevisionResolver}), whatever commit, branch or repository the payload names. The
 * body is only required to be a JSON object, as notification-controller decodes it before it triggers.
 */
public final class JsonPayload {
    /** Webhook bodies are read within the services' JSON bounds ({@link JsonBounds}) besides the body size limit. */
    private static final ObjectMapper JSON = JsonBounds.bounded(new ObjectMapper());

    private JsonPayload() {
    }

    /**
     * Checks that a body is a JSON object (any webhook event of GitHub or GitLab).
     *
     * @param body the raw JSON body, may be null
     * @return the parsed object
     * @throws MalformedPayload when the body is empty, not JSON, or JSON but not an object
     */
    public static JsonNode parse(byte[] body) {
        try {
            JsonNode root = body == null || body.length == 0 ? null : JSON.readTree(body);
            if (root == null || !root.isObject()) {
                throw new MalformedPayload("payload is not a JSON object");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new MalformedPayload("payload is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new MalformedPayload("payload cannot be read: " + e.getMessage());
        }
    }

    /** The webhook body is not the JSON the event type requires (answered 400). */
    public static class MalformedPayload extends RuntimeException {
        /** @param message what is wrong */
        public MalformedPayload(String message) {
            super(message);
        }
    }
}

package io.conflux.receiver.decide;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.model.source.Revision;
import java.io.IOException;

/**
 * What a push webhook says happened, read from a GitHub {@code push} or GitLab {@code Push Hook} payload (both carry
 * {@code ref}, {@code before} and {@code after}).
 *
 * @param ref    the full ref pushed, e.g. {@code refs/heads/main} or {@code refs/tags/v1.0.0}
 * @param before the commit the ref pointed to before (40 zeros for a new ref), or null
 * @param after  the commit the ref points to now (40 zeros when the ref was deleted), or null
 */
public record GitPush(String ref, String before, String after) {
    private static final String HEADS = "refs/heads/";
    private static final String ZERO = "0".repeat(40);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Parses a push payload.
     *
     * @param body the raw JSON body
     * @return the push; fields missing from the payload are null
     * @throws MalformedPayload when the body is not a JSON object
     */
    public static GitPush parse(byte[] body) {
        JsonNode root = json(body);
        return new GitPush(text(root, "ref"), text(root, "before"), text(root, "after"));
    }

    /**
     * Checks that a body is a JSON object (any webhook event of GitHub or GitLab).
     *
     * @throws MalformedPayload otherwise
     */
    public static JsonNode json(byte[] body) {
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

    private static String text(JsonNode root, String field) {
        JsonNode n = root.get(field);
        return n == null || !n.isTextual() ? null : n.asText();
    }

    /** @return the branch pushed ({@code main} for {@code refs/heads/main}), or null for tags and other refs */
    public String branch() {
        return ref != null && ref.startsWith(HEADS) ? ref.substring(HEADS.length()) : null;
    }

    /** @return whether the push deleted the ref ({@code after} is 40 zeros) */
    public boolean deleted() {
        return ZERO.equals(after);
    }

    /** @return whether the push created the ref ({@code before} is 40 zeros or absent) */
    public boolean created() {
        return before == null || ZERO.equals(before);
    }

    /**
     * @return the Flux revision the branch now points at, {@code <branch>@sha1:<after>}, or null when this push is
     *         not a usable branch update (tag, deletion, missing or non-hex {@code after})
     */
    public Revision branchRevision() {
        String branch = branch();
        if (branch == null || after == null || deleted() || !after.matches("[0-9a-fA-F]{40}")) {
            return null;
        }
        return new Revision(branch, after.toLowerCase(java.util.Locale.ROOT));
    }

    /** The webhook body is not the JSON the event type requires (answered 400). */
    public static class MalformedPayload extends RuntimeException {
        /** @param message what is wrong */
        public MalformedPayload(String message) {
            super(message);
        }
    }
}

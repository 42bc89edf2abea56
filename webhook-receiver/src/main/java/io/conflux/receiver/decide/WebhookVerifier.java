package io.conflux.receiver.decide;

import io.conflux.receiver.decide.Verdict.DeliveryKey;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Authenticates a webhook request for a Receiver and reads what it asks for, per Receiver type as Flux's
 * notification-controller does ({@code internal/server/receiver_handlers.go}):
 * <ul>
 * <li>{@code github}: {@code X-Hub-Signature-256: sha256=<hex>} (or legacy {@code X-Hub-Signature: sha1=<hex>}),
 * the HMAC of the raw body keyed by the token; event {@code X-GitHub-Event} ({@code ping} is answered without
 * effect); delivery id {@code X-GitHub-Delivery}; the body must be JSON, or a form whose {@code payload} field is
 * JSON.</li>
 * <li>{@code gitlab}: {@code X-Gitlab-Token} equal to the token; event {@code X-Gitlab-Event} (e.g.
 * {@code Push Hook}); delivery id {@code X-Gitlab-Event-UUID} when sent; the body must be JSON.</li>
 * <li>{@code generic}: any request to the secret path triggers.</li>
 * <li>{@code generic-hmac}: {@code X-Signature: <sha1|sha256|sha512>=<hex>} HMAC of the body.</li>
 * </ul>
 * What a verified request can do is ask for a reconciliation, as in Flux: nothing in the body (commit, branch,
 * repository) is read beyond checking that it is JSON, so a verdict carries no revision. A replayed signed request
 * therefore only triggers one more reconciliation; {@code X-GitHub-Delivery} is not covered by GitHub's signature, so
 * the {@link DeliveryKey} is idempotency for honest redeliveries (answered without effect), not a protection. A
 * request without one (every generic and generic-hmac request, a GitHub or GitLab request without the header) is
 * processed each time it comes, identical or not, as Flux does: a caller that always posts the same body (a CI job
 * posting {@code {}}) must trigger every time, and the per-Receiver rate limit bounds how often.
 * {@code spec.events} (when non-empty) filters case-insensitively on the event type; the generic types have no
 * event type in Flux, so for them the filter applies only when the caller names one in {@code X-Conflux-Event}.
 */
public final class WebhookVerifier {
    /** Flux Receiver types this service implements. */
    public static final Set<String> SUPPORTED_TYPES = Set.of("github", "gitlab", "generic", "generic-hmac");
    /** Optional event name header for the generic types (Conflux-specific). */
    public static final String GENERIC_EVENT_HEADER = "X-Conflux-Event";
    /** Longest delivery id accepted ({@code webhook_delivery.delivery_key} holds {@code <sender>:<id>}, 600). */
    static final int MAX_DELIVERY_ID = 256;
    /** Longest event name accepted with a delivery id ({@code webhook_delivery.event} is VARCHAR(128)). */
    static final int MAX_EVENT = 128;

    private WebhookVerifier() {
    }

    /**
     * @param type   the Receiver's {@code spec.type}
     * @param token  the Secret's {@code token}
     * @param events the Receiver's {@code spec.events}; null or empty accepts every event
     * @param header case-insensitive header lookup, null when absent
     * @param body   the raw body (never null; empty when there was none)
     * @return the verdict; never throws for bad input
     */
    public static Verdict verify(String type, String token, List<String> events, UnaryOperator<String> header, byte[] body) {
        byte[] key = token.getBytes(StandardCharsets.UTF_8);
        switch (type == null ? "" : type) {
            case "github": {
                String sig256 = header.apply("X-Hub-Signature-256");
                String signature = sig256 != null ? sig256 : header.apply("X-Hub-Signature");
                Set<String> algorithms = sig256 != null ? Set.of("sha256") : Set.of("sha1");
                if (!Signatures.verify(signature, body, key, algorithms)) {
                    return Verdict.reject(401, "invalid or missing X-Hub-Signature-256");
                }
                String event = header.apply("X-GitHub-Event");
                if (event == null || event.isBlank()) {
                    return Verdict.reject(400, "missing X-GitHub-Event");
                }
                byte[] json = githubJson(header.apply("Content-Type"), body);
                JsonPayload.MalformedPayload malformed = checkJson(json);
                if (malformed != null) {
                    return Verdict.reject(400, malformed.getMessage());
                }
                if (event.equalsIgnoreCase("ping")) {
                    return Verdict.ignore("GitHub ping event received", event);
                }
                if (!allowed(events, event)) {
                    return Verdict.ignore("GitHub event '" + event + "' is not allowed by spec.events, ignored", event);
                }
                String id = header.apply("X-GitHub-Delivery");
                String unstorable = unstorable(event, "X-GitHub-Event", id, "X-GitHub-Delivery");
                if (unstorable != null) {
                    return Verdict.reject(400, unstorable);
                }
                DeliveryKey delivery = DeliveryKey.of("github", id);
                return Verdict.trigger(event, delivery);
            }
            case "gitlab": {
                if (!Signatures.tokenEquals(header.apply("X-Gitlab-Token"), token)) {
                    return Verdict.reject(401, "invalid or missing X-Gitlab-Token");
                }
                String event = header.apply("X-Gitlab-Event");
                if (event == null || event.isBlank()) {
                    return Verdict.reject(400, "missing X-Gitlab-Event");
                }
                JsonPayload.MalformedPayload malformed = checkJson(body);
                if (malformed != null) {
                    return Verdict.reject(400, malformed.getMessage());
                }
                if (!allowed(events, event)) {
                    return Verdict.ignore("GitLab event '" + event + "' is not allowed by spec.events, ignored", event);
                }
                String uuid = header.apply("X-Gitlab-Event-UUID");
                String unstorable = unstorable(event, "X-Gitlab-Event", uuid, "X-Gitlab-Event-UUID");
                if (unstorable != null) {
                    return Verdict.reject(400, unstorable);
                }
                DeliveryKey delivery = DeliveryKey.of("gitlab", uuid);
                return Verdict.trigger(event, delivery);
            }
            case "generic": {
                String event = header.apply(GENERIC_EVENT_HEADER);
                if (event != null && !allowed(events, event)) {
                    return Verdict.ignore("event '" + event + "' is not allowed by spec.events, ignored", event);
                }
                return Verdict.trigger(event, null);
            }
            case "generic-hmac": {
                String signature = header.apply("X-Signature");
                if (!Signatures.verify(signature, body, key, Set.of("sha1", "sha256", "sha512"))) {
                    return Verdict.reject(401, "invalid or missing X-Signature");
                }
                String event = header.apply(GENERIC_EVENT_HEADER);
                if (event != null && !allowed(events, event)) {
                    return Verdict.ignore("event '" + event + "' is not allowed by spec.events, ignored", event);
                }
                return Verdict.trigger(event, null);
            }
            default:
                return Verdict.reject(400, "Receiver type '" + type + "' is not supported by Conflux");
        }
    }

    /**
     * GitHub sends the JSON either as the body ({@code application/json}) or, for hooks configured with
     * {@code application/x-www-form-urlencoded}, as the form field {@code payload}; the signature covers the raw
     * body in both cases.
     */
    private static byte[] githubJson(String contentType, byte[] body) {
        if (contentType == null || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            return body;
        }
        for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals("payload")) {
                try {
                    return java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
                } catch (IllegalArgumentException badEscape) {
                    return new byte[0];
                }
            }
        }
        return new byte[0];
    }

    private static JsonPayload.MalformedPayload checkJson(byte[] body) {
        try {
            JsonPayload.parse(body);
            return null;
        } catch (JsonPayload.MalformedPayload e) {
            return e;
        }
    }

    /**
     * The event name and delivery id of a request that carries a delivery id are recorded in {@code webhook_delivery}
     * ({@code event} VARCHAR(128), {@code delivery_key} VARCHAR(600)); values that cannot be are refused here as
     * malformed (400) rather than failing the insert (500). GitHub's and GitLab's ids are 36-character UUIDs and
     * their event names a few words.
     *
     * @return why the request is refused, naming the header (never its value), or null when both fit
     */
    private static String unstorable(String event, String eventHeader, String id, String idHeader) {
        if (id == null || id.isBlank()) {
            return null;
        }
        if (id.trim().length() > MAX_DELIVERY_ID || !printable(id)) {
            return idHeader + " is not a delivery id (at most " + MAX_DELIVERY_ID + " printable characters)";
        }
        if (event.length() > MAX_EVENT || !printable(event)) {
            return eventHeader + " is not an event name (at most " + MAX_EVENT + " printable characters)";
        }
        return null;
    }

    private static boolean printable(String s) {
        return s.chars().noneMatch(Character::isISOControl);
    }

    /** @return whether {@code event} passes {@code spec.events} (case-insensitive; empty accepts all) */
    public static boolean allowed(List<String> events, String event) {
        return events == null || events.isEmpty() || events.stream().anyMatch(e -> e.equalsIgnoreCase(event));
    }
}

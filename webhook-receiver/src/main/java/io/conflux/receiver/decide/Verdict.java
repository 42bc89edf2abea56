package io.conflux.receiver.decide;

/**
 * The outcome of authenticating and reading one webhook request ({@link WebhookVerifier}).
 *
 * @param decision what to do
 * @param status   the HTTP status to answer when the decision is {@link Decision#REJECT} or {@link Decision#IGNORE}
 * @param message  a human-readable reason (logged and returned in the body)
 * @param event    the event type from the request headers (e.g. {@code push}, {@code Push Hook}), or null
 * @param delivery the sender's delivery id, so that an honest redelivery is answered without effect, or null when the
 *                 request has none (then it is processed however often it comes); not a security property: the id
 *                 is not signed, and a verified request can only ask for a reconciliation anyway
 */
public record Verdict(Decision decision, int status, String message, String event, DeliveryKey delivery) {

    /** What to do with a request. */
    public enum Decision {
        /** Refuse with {@link Verdict#status()} (401 bad credentials, 400 malformed); nothing is recorded. */
        REJECT,
        /** Answer {@link Verdict#status()} (200) without effect: pings and events not in {@code spec.events}. */
        IGNORE,
        /** Authentic and wanted: trigger the Receiver's resources. */
        TRIGGER
    }

    /**
     * A sender's delivery id, remembered for good in {@code webhook_delivery} so that a redelivery (GitHub's
     * "Redeliver", a retry) is answered without a second reconciliation. Idempotency only: GitHub does not sign
     * {@code X-GitHub-Delivery}, so a replay under a new id is processed, which is harmless because a webhook only
     * asks for a reconciliation of what the remote's refs point at.
     *
     * @param key stored in {@code webhook_delivery.delivery_key}: {@code github:<X-GitHub-Delivery>} or
     *            {@code gitlab:<X-Gitlab-Event-UUID>}
     */
    public record DeliveryKey(String key) {
        /** @return the key {@code <sender>:<id>}, or null when the request sent no id (blank or missing header) */
        static DeliveryKey of(String sender, String id) {
            return id == null || id.isBlank() ? null : new DeliveryKey(sender + ":" + id.trim());
        }
    }

    static Verdict reject(int status, String message) {
        return new Verdict(Decision.REJECT, status, message, null, null);
    }

    static Verdict ignore(String message, String event) {
        return new Verdict(Decision.IGNORE, 200, message, event, null);
    }

    static Verdict trigger(String event, DeliveryKey delivery) {
        return new Verdict(Decision.TRIGGER, 200, "accepted", event, delivery);
    }
}

package io.conflux.receiver.decide;

/**
 * The outcome of authenticating and reading one webhook request ({@link WebhookVerifier}).
 *
 * @param decision what to do
 * @param status   the HTTP status to answer when the decision is {@link Decision#REJECT} or {@link Decision#IGNORE}
 * @param message  a human-readable reason (logged and returned in the body)
 * @param event    the event type from the request headers (e.g. {@code push}, {@code Push Hook}), or null
 * @param delivery the sender's delivery id, against redeliveries and replays, or null when the request has none
 *                 (then it is processed however often it comes)
 * @param push     the push payload when the event is a push, else null
 */
public record Verdict(Decision decision, int status, String message, String event, DeliveryKey delivery, GitPush push) {

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
     * "Redeliver", a retry) or a replay of the request has no effect.
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
        return new Verdict(Decision.REJECT, status, message, null, null, null);
    }

    static Verdict ignore(String message, String event) {
        return new Verdict(Decision.IGNORE, 200, message, event, null, null);
    }

    static Verdict trigger(String event, DeliveryKey delivery, GitPush push) {
        return new Verdict(Decision.TRIGGER, 200, "accepted", event, delivery, push);
    }
}

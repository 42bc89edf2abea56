package io.conflux.notifier.dispatch;

import io.conflux.notifier.persist.DeliveryRecord;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * What to do with one notification (an event's {@link io.conflux.notifier.match.NotificationEvent#identity identity}
 * for one Alert), given the newest delivery of that identity for that Alert still {@code PENDING}, {@code RETRYING}
 * or {@code SENT} — a pure decision, taken under a PostgreSQL advisory lock of the (identity, Alert) pair
 * ({@code persist.DeliveryStore#claim}), so that two consumers handling the same event at once (a rebalance, an
 * outbox relayed twice) decide one after the other.
 *
 * <ul>
 *   <li>none: {@link Kind#SEND}, a new {@code PENDING} row;</li>
 *   <li>{@code SENT}, when the event carries a revision (exactly one notification per object, revision and outcome)
 *       or was sent within {@code conflux.notifier.duplicate-window} (Flux's rate limit, for events without a
 *       revision): {@link Kind#DUPLICATE}, a {@code DUPLICATE} row, nothing posted; an older {@code SENT} of an event
 *       without revision: {@link Kind#SEND} again, as Flux does after its rate-limit interval;</li>
 *   <li>{@code RETRYING} (the Provider was unreachable or answered 429/5xx through its retry policy, nothing was
 *       delivered): {@link Kind#RESUME}, the same row is sent again;</li>
 *   <li>{@code PENDING} whose outcome this process holds but could not record (PostgreSQL failed after the post):
 *       {@link Kind#RECORD}, the outcome is recorded, nothing is posted again;</li>
 *   <li>{@code PENDING} being sent by this process right now (another of its consumers): {@link Kind#IN_FLIGHT};</li>
 *   <li>{@code PENDING} begun by this process and no longer in its hands, or by another one and untouched for
 *       {@code conflux.notifier.pending-takeover}: the sending was interrupted (a crash, a failure before its
 *       outcome) and may or may not have reached the Provider: {@link Kind#RESEND}, counted in the row's
 *       {@code resends} — the at-least-once duplicates, read by {@code GET /api/deliveries/summary};</li>
 *   <li>{@code PENDING} begun by another process less than {@code pending-takeover} ago: {@link Kind#IN_FLIGHT}, it
 *       is being sent there; the event is retried later (a transient failure), so it is not posted twice.</li>
 * </ul>
 *
 * @param kind   what to do
 * @param latest the row it was decided on, empty for {@link Kind#SEND}
 */
public record DeliveryDecision(Kind kind, Optional<DeliveryRecord> latest) {

    /** What to do. */
    public enum Kind {
        /** Post it, recorded in a new {@code PENDING} row. */
        SEND,
        /** Already sent: record a {@code DUPLICATE} row, post nothing. */
        DUPLICATE,
        /** Post it again on the same row after an outage of the Provider (not a duplicate: nothing was delivered). */
        RESUME,
        /** Post it again on the same row after an interrupted sending: possibly an at-least-once duplicate. */
        RESEND,
        /** This process posted it; record the outcome it holds, post nothing. */
        RECORD,
        /** Another process is posting it right now: retry the event later. */
        IN_FLIGHT
    }

    /** What this process knows of a {@code PENDING} row it began. */
    public enum Local {
        /** Nothing: not begun here, or begun and lost (the sending failed before an outcome). */
        NONE,
        /** Being sent by this process now. */
        SENDING,
        /** Sent by this process; the outcome is held because recording it failed. */
        HELD
    }

    /**
     * @param latest          newest {@code PENDING}, {@code RETRYING} or {@code SENT} row of the identity for the Alert
     * @param carriesRevision whether the event names the object's revision
     * @param now             the time of the decision
     * @param window          {@code conflux.notifier.duplicate-window}
     * @param takeover        {@code conflux.notifier.pending-takeover}
     * @param self            this process's instance id ({@code DeliveryRecord#owner} of the rows it begins)
     * @param local           what this process knows of the row with that id
     * @return the decision
     */
    public static DeliveryDecision decide(Optional<DeliveryRecord> latest, boolean carriesRevision, OffsetDateTime now,
                                          Duration window, Duration takeover, String self, LongFunction<Local> local) {
        if (latest.isEmpty()) {
            return new DeliveryDecision(Kind.SEND, latest);
        }
        DeliveryRecord row = latest.get();
        return new DeliveryDecision(switch (row.status) {
            case DeliveryRecord.SENT -> carriesRevision || !row.createdAt.isBefore(now.minus(window))
                    ? Kind.DUPLICATE : Kind.SEND;
            case DeliveryRecord.RETRYING -> Kind.RESUME;
            default -> {
                Local here = local.apply(row.id);
                if (here == Local.HELD) {
                    yield Kind.RECORD;
                }
                if (here == Local.SENDING) {
                    yield Kind.IN_FLIGHT;
                }
                boolean mine = self.equals(row.owner);
                yield mine || row.updatedAt.isBefore(now.minus(takeover)) ? Kind.RESEND : Kind.IN_FLIGHT;
            }
        }, latest);
    }
}

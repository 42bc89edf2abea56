package io.conflux.notifier.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.notifier.dispatch.DeliveryDecision.Kind;
import io.conflux.notifier.persist.DeliveryRecord;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The exactly-once rules of {@link DeliveryDecision}, one case each. */
class DeliveryDecisionTest {
    private static final OffsetDateTime NOW = OffsetDateTime.of(2026, 12, 6, 17, 0, 0, 0, ZoneOffset.UTC);
    private static final Duration WINDOW = Duration.ofMinutes(5);
    private static final Duration TAKEOVER = Duration.ofMinutes(5);
    private static final String SELF = "me";

    private static DeliveryRecord row(long id, String status, String owner, Duration age) {
        DeliveryRecord r = new DeliveryRecord();
        r.id = id;
        r.status = status;
        r.owner = owner;
        r.createdAt = NOW.minus(age);
        r.updatedAt = NOW.minus(age);
        return r;
    }

    private static Kind decide(DeliveryRecord latest, boolean carriesRevision) {
        return DeliveryDecision.decide(Optional.ofNullable(latest), carriesRevision, NOW, WINDOW, TAKEOVER, SELF,
                id -> id == 42 ? DeliveryDecision.Local.HELD : id == 43 ? DeliveryDecision.Local.SENDING
                        : DeliveryDecision.Local.NONE).kind();
    }

    @Test
    void aFirstNotificationIsSent() {
        assertThat(decide(null, true)).isEqualTo(Kind.SEND);
    }

    @Test
    void aSentNotificationWithARevisionIsNeverSentAgain() {
        assertThat(decide(row(1, DeliveryRecord.SENT, SELF, Duration.ofSeconds(1)), true)).isEqualTo(Kind.DUPLICATE);
        assertThat(decide(row(1, DeliveryRecord.SENT, "other", Duration.ofDays(30)), true)).isEqualTo(Kind.DUPLICATE);
    }

    @Test
    void aSentNotificationWithoutRevisionIsSentAgainOnlyAfterTheWindow() {
        assertThat(decide(row(1, DeliveryRecord.SENT, null, Duration.ofMinutes(4)), false)).isEqualTo(Kind.DUPLICATE);
        assertThat(decide(row(1, DeliveryRecord.SENT, null, Duration.ofMinutes(6)), false)).isEqualTo(Kind.SEND);
    }

    @Test
    void aDeliveryWaitingForItsProviderIsResumedNotCountedAsDuplicate() {
        assertThat(decide(row(1, DeliveryRecord.RETRYING, "other", Duration.ofSeconds(1)), true)).isEqualTo(Kind.RESUME);
    }

    @Test
    void anOutcomeHeldInMemoryIsRecordedNotPostedAgain() {
        assertThat(decide(row(42, DeliveryRecord.PENDING, SELF, Duration.ofSeconds(1)), true)).isEqualTo(Kind.RECORD);
    }

    @Test
    void anInterruptedSendingIsSentAgainAndCounted() {
        assertThat(decide(row(1, DeliveryRecord.PENDING, SELF, Duration.ofSeconds(1)), true)).isEqualTo(Kind.RESEND);
        assertThat(decide(row(1, DeliveryRecord.PENDING, "crashed", Duration.ofMinutes(6)), true)).isEqualTo(Kind.RESEND);
        assertThat(decide(row(1, DeliveryRecord.PENDING, null, Duration.ofMinutes(6)), true)).isEqualTo(Kind.RESEND);
    }

    @Test
    void aSendingInFlightInThisProcessIsWaitedFor() {
        assertThat(decide(row(43, DeliveryRecord.PENDING, SELF, Duration.ofSeconds(1)), true)).isEqualTo(Kind.IN_FLIGHT);
    }

    @Test
    void aSendingInFlightInAnotherProcessIsWaitedFor() {
        assertThat(decide(row(1, DeliveryRecord.PENDING, "other", Duration.ofSeconds(30)), true)).isEqualTo(Kind.IN_FLIGHT);
    }
}

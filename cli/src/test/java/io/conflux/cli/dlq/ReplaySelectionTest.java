package io.conflux.cli.dlq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which option combinations {@code conflux dlq replay} takes, and what each selects. */
class ReplaySelectionTest {
    static final String DLQ = "conflux.render-results.dlq";

    @Test
    void refusesCombinationsThatSayTooLittleOrTooMuch() {
        assertThatThrownBy(() -> ReplaySelection.of(DLQ, null, null, null, false)).hasMessageContaining("--all");
        assertThatThrownBy(() -> ReplaySelection.of(DLQ, null, 1, null, false)).hasMessage("--partition and --offset go together");
        assertThatThrownBy(() -> ReplaySelection.of(DLQ, null, null, 4L, false)).hasMessage("--partition and --offset go together");
        assertThatThrownBy(() -> ReplaySelection.of(null, null, 1, 4L, false)).hasMessageContaining("need --topic");
        assertThatThrownBy(() -> ReplaySelection.of(DLQ, "Kustomization/apps/a", null, null, true))
                .hasMessageContaining("without --key");
    }

    @Test
    void keyAndPositionMustBothMatch() {
        DeadLetter a14 = letter(1, 4, "Kustomization/apps/a");
        DeadLetter b15 = letter(1, 5, "Kustomization/apps/b");
        DeadLetter noKey = letter(0, 4, null);

        assertThat(select(ReplaySelection.of(DLQ, "Kustomization/apps/a", null, null, false), a14, b15, noKey)).containsExactly(a14);
        assertThat(select(ReplaySelection.of(DLQ, null, 1, 5L, false), a14, b15, noKey)).containsExactly(b15);
        assertThat(select(ReplaySelection.of(DLQ, "Kustomization/apps/a", 1, 5L, false), a14, b15, noKey)).isEmpty();
        assertThat(select(ReplaySelection.of(null, null, null, null, true), a14, b15, noKey)).containsExactly(a14, b15, noKey);
    }

    private static List<DeadLetter> select(ReplaySelection selection, DeadLetter... letters) {
        return List.of(letters).stream().filter(selection::selects).toList();
    }

    private static DeadLetter letter(int partition, long offset, String key) {
        return new DeadLetter(new DeadLetterId(DLQ, "id", partition, offset), Instant.EPOCH,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8), new byte[0],
                new Origin("conflux.render-results", 0, 1), "java.lang.IllegalArgumentException", "bad", null, null, List.of());
    }
}

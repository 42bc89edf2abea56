package io.conflux.applier.persist;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which render result replaces a stored desired state. */
class DesiredStateTest {

    @Test
    void forOneGenerationAHigherSourceSequenceIsNeverReplacedByALowerOne() {
        DesiredState r2 = stored(4, 2L);
        assertThat(r2.keeps(4, 1L)).isTrue();
        assertThat(r2.keeps(4, 2L)).isFalse(); // the same revision again (a requested reconcile) replaces
        assertThat(r2.keeps(4, 3L)).isFalse();
    }

    @Test
    void aNewerGenerationAlwaysReplacesAnOlderNeverAndUnknownSequencesKeepTheGenerationRule() {
        DesiredState r2 = stored(4, 2L);
        assertThat(r2.keeps(5, 1L)).isFalse();
        assertThat(r2.keeps(3, 9L)).isTrue();
        assertThat(r2.keeps(4, null)).isFalse();
        assertThat(stored(4, null).keeps(4, 1L)).isFalse();
    }

    private static DesiredState stored(long generation, Long sequence) {
        DesiredState d = new DesiredState();
        d.generation = generation;
        d.sourceSequence = sequence;
        return d;
    }
}

package io.conflux.cli.dlq;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a replay does with the dead letters it read, decided before anything is sent: the selected ones to send back to
 * their original topic, in dead-letter order (topic, partition, offset: one key's dead letters share a partition, so
 * they go back in the order they failed), and the selected ones it leaves, each with why.
 *
 * <p>A dead letter is left when it was replayed already (its marker is in the {@link ReplayLog}), when its headers do
 * not say where it came from, or when its original topic is not the one its dead-letter topic is named after
 * ({@code <topic>.dlq} holds only {@code <topic>}'s dead letters; a header naming another topic is not followed, so
 * whoever can write to a dead-letter topic cannot use a replay to publish elsewhere).
 *
 * @param send    the dead letters to send, in order
 * @param skipped the selected dead letters left alone, in order
 */
public record ReplayPlan(List<DeadLetter> send, List<Skipped> skipped) {

    /**
     * A selected dead letter that is not sent.
     *
     * @param letter the dead letter
     * @param why    one line, e.g. {@code already replayed at 2026-01-01T10:00:00Z to conflux.events/0@12}
     */
    public record Skipped(DeadLetter letter, String why) {
    }

    /** Copies the lists. */
    public ReplayPlan {
        send = List.copyOf(send);
        skipped = List.copyOf(skipped);
    }

    /**
     * @param letters   the dead letters read, in order
     * @param selection what was asked for
     * @param replayed  the {@link ReplayLog}'s markers, by {@link DeadLetterId#markerKey()}
     * @return the plan
     */
    public static ReplayPlan of(List<DeadLetter> letters, ReplaySelection selection, Map<String, ReplayLog.Mark> replayed) {
        List<DeadLetter> send = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        for (DeadLetter letter : letters) {
            if (!selection.selects(letter)) {
                continue;
            }
            ReplayLog.Mark mark = replayed.get(letter.id().markerKey());
            String expected = letter.id().topic().substring(0, letter.id().topic().length() - DeadLetterReader.SUFFIX.length());
            if (mark != null) {
                skipped.add(new Skipped(letter, "already replayed at " + mark.replayedAt() + " to " + mark.to()));
            } else if (letter.origin() == null) {
                skipped.add(new Skipped(letter, "no original topic, partition and offset in its dead-letter-* headers"));
            } else if (!letter.origin().topic().equals(expected)) {
                skipped.add(new Skipped(letter, "its header names topic " + letter.origin().topic() + ", not " + expected));
            } else {
                send.add(letter);
            }
        }
        return new ReplayPlan(send, skipped);
    }
}

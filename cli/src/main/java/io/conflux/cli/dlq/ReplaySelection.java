package io.conflux.cli.dlq;

import java.util.Objects;

/**
 * Which dead letters {@code conflux dlq replay} is asked to send back, within the topics chosen by {@code --topic}:
 * those with the key {@code --key}, the one at {@code --partition} and {@code --offset} (of the one {@code --topic}),
 * or {@code --all}. Key and position may be combined (both must match); one of them or {@code --all} is required,
 * so that a bare {@code replay} never sends everything by accident.
 *
 * @param key       the key to match, UTF-8 text; null for any
 * @param partition the dead-letter topic's partition; null for any (then {@code offset} is null too)
 * @param offset    the offset in that partition; null for any
 * @param all       whether every dead letter of the topics is selected (with no key or position)
 */
public record ReplaySelection(String key, Integer partition, Long offset, boolean all) {

    /**
     * Checks the combination.
     *
     * @throws IllegalArgumentException naming the options: {@code --partition} without {@code --offset} or the other
     *                                  way round, a position without {@code --topic}, {@code --all} with a narrower
     *                                  selector, or no selector at all
     */
    public static ReplaySelection of(String topic, String key, Integer partition, Long offset, boolean all) {
        if ((partition == null) != (offset == null)) {
            throw new IllegalArgumentException("--partition and --offset go together");
        }
        if (partition != null && topic == null) {
            throw new IllegalArgumentException("--partition/--offset need --topic (the dead-letter topic they are in)");
        }
        boolean narrowed = key != null || partition != null;
        if (all && narrowed) {
            throw new IllegalArgumentException("--all selects everything: give it without --key or --partition/--offset");
        }
        if (!all && !narrowed) {
            throw new IllegalArgumentException("say what to replay: --key K, --partition P --offset O, or --all");
        }
        return new ReplaySelection(key, partition, offset, all);
    }

    /** @return whether {@code letter} is selected */
    public boolean selects(DeadLetter letter) {
        if (all) {
            return true;
        }
        return (key == null || key.equals(letter.keyText()))
                && (partition == null || (partition == letter.id().partition() && Objects.equals(offset, letter.id().offset())));
    }
}

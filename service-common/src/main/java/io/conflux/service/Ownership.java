package io.conflux.service;

import io.conflux.model.meta.ObjectKey;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.kafka.common.utils.Utils;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Which Flux objects this replica owns: those whose key falls into a Kafka partition assigned to this replica on
 * the service's ownership channel (DESIGN.md "Ownership"). Only the owner schedules, polls, renders, applies and
 * writes status for an object. Fed by {@link OwnershipListener}.
 *
 * <p>Key {@code conflux.ownership.mode}: {@code kafka} — the partitions Kafka assigns (nothing is owned before the
 * first assignment); {@code all} — this process owns every key (module tests without a consumer group). All topics
 * a service keys by object must have the same partition count as its ownership topic.
 */
@ApplicationScoped
public class Ownership {
    private static final Logger LOG = Logger.getLogger(Ownership.class);

    @ConfigProperty(name = "conflux.ownership.mode")
    String mode;

    private volatile Set<Integer> owned = Set.of();
    private volatile int partitionCount;
    private volatile Boolean all;
    private final List<Consumer<Predicate<String>>> resumers = new CopyOnWriteArrayList<>();
    private final List<Consumer<Predicate<String>>> droppers = new CopyOnWriteArrayList<>();

    /** For CDI; the mode comes from {@code conflux.ownership.mode}. */
    public Ownership() {
    }

    private Ownership(boolean all) {
        this.all = all;
    }

    /** @return an instance that owns every key, for tests that build their objects by hand */
    public static Ownership everything() {
        return new Ownership(true);
    }

    /** @return an instance in {@code kafka} mode that owns nothing until {@link #assigned} is called (tests) */
    public static Ownership byPartitions() {
        return new Ownership(false);
    }

    /**
     * Kafka's default partitioner for a String key (the producer's {@code BuiltInPartitioner.partitionForKey}):
     * {@code toPositive(murmur2(utf8 bytes)) % partitions}.
     *
     * @param key        the record key, not null
     * @param partitions the topic's partition count, at least 1
     * @return the partition, 0 to {@code partitions - 1}
     */
    public static int partitionOf(String key, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1: " + partitions);
        }
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** @return true when this replica owns the object of the key ({@code Kind/namespace/name}) */
    public boolean owns(String key) {
        if (everyKey()) {
            return true;
        }
        int count = partitionCount;
        return count > 0 && owned.contains(partitionOf(key, count));
    }

    /** @return true when this replica owns the object */
    public boolean owns(ObjectKey key) {
        return owns(key.toString());
    }

    /** @return the partitions of the ownership topic assigned to this replica now (empty in {@code all} mode) */
    public Set<Integer> partitions() {
        return owned;
    }

    /**
     * Registers a callback run after each assignment with the predicate "this key is newly owned"; the service
     * resumes those keys from PostgreSQL (reconciles them, which re-arms their timers). In {@code all} mode the
     * callback is never called.
     */
    public void onAssigned(Consumer<Predicate<String>> resume) {
        resumers.add(resume);
    }

    /** Registers a callback run on revocation/loss with the predicate "this key is no longer owned". */
    public void onRevoked(Consumer<Predicate<String>> drop) {
        droppers.add(drop);
    }

    /**
     * Partitions were added to this replica (Kafka's incremental semantics: only the new ones).
     *
     * @param added          the newly assigned partitions of the ownership topic
     * @param partitionCount the topic's partition count
     */
    public void assigned(Collection<Integer> added, int partitionCount) {
        Set<Integer> before;
        synchronized (this) {
            before = owned;
            Set<Integer> now = new HashSet<>(before);
            now.addAll(added);
            this.partitionCount = partitionCount;
            owned = Set.copyOf(now);
        }
        Set<Integer> fresh = new HashSet<>(added);
        fresh.removeAll(before);
        LOG.infof("owning partitions %s of %d (new: %s)", owned, partitionCount, fresh);
        if (fresh.isEmpty()) {
            return;
        }
        Predicate<String> newlyOwned = key -> fresh.contains(partitionOf(key, partitionCount));
        resumers.forEach(r -> r.accept(newlyOwned));
    }

    /**
     * Partitions were taken from this replica (revoked or lost).
     *
     * @param removed the partitions of the ownership topic no longer assigned
     */
    public void revoked(Collection<Integer> removed) {
        Set<Integer> gone;
        int count;
        synchronized (this) {
            gone = new HashSet<>(removed);
            gone.retainAll(owned);
            Set<Integer> now = new HashSet<>(owned);
            now.removeAll(gone);
            owned = Set.copyOf(now);
            count = partitionCount;
        }
        LOG.infof("released partitions %s, owning %s", gone, owned);
        if (gone.isEmpty() || count == 0) {
            return;
        }
        Predicate<String> noLongerOwned = key -> gone.contains(partitionOf(key, count));
        droppers.forEach(d -> d.accept(noLongerOwned));
    }

    private boolean everyKey() {
        Boolean fixed = all;
        if (fixed == null) {
            fixed = switch (mode == null ? "" : mode.trim()) {
                case "all" -> true;
                case "kafka" -> false;
                default -> throw new IllegalStateException("conflux.ownership.mode must be kafka or all: " + mode);
            };
            all = fixed;
        }
        return fixed;
    }
}

package io.conflux.applier.reconcile;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.applier.apply.ApplyResult;
import io.conflux.applier.apply.Change;
import io.conflux.applier.apply.InventoryEntry;
import io.conflux.applier.persist.DesiredState;
import io.conflux.applier.persist.InventoryRecord;
import io.conflux.applier.persist.ReconcileHistory;
import io.conflux.model.kustomize.ResourceInventory.ResourceRef;
import io.conflux.model.meta.Condition;
import io.conflux.model.meta.GoDuration;
import io.conflux.model.meta.ObjectKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/** The rows the attempt records build: history rows, inventory rows and their JSON. Pure. */
final class Records {
    /** kustomize-controller's interval when {@code spec.interval} is missing. */
    static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private Records() {
    }

    /** @return the history row of one attempt of {@code key} at {@code desired}, having taken {@code took} */
    static ReconcileHistory history(ObjectKey key, DesiredState desired, String reason, boolean ready, String message,
                                    Duration took) {
        return history(key, desired.generation, desired.sourceRevision, desired.bundleDigest, reason, ready, message, took);
    }

    /** @return the history row of one attempt of {@code key} at a generation, revision and bundle (either may be null) */
    static ReconcileHistory history(ObjectKey key, long generation, String revision, String digest, String reason,
                                    boolean ready, String message, Duration took) {
        ReconcileHistory h = new ReconcileHistory();
        h.objectKey = key.toString();
        h.generation = generation;
        h.sourceRevision = revision;
        h.bundleDigest = digest;
        h.reason = reason;
        h.ready = ready;
        h.message = message;
        h.durationMs = took.toMillis();
        h.startedAt = OffsetDateTime.now().minus(took);
        return h;
    }

    /** Sets the created/configured/deleted counts of {@code h} from {@code result}. */
    static void counts(ReconcileHistory h, ApplyResult result) {
        h.created = (int) result.count(Change.Action.CREATED);
        h.configured = (int) result.count(Change.Action.CONFIGURED);
        h.deleted = (int) result.count(Change.Action.DELETED);
    }

    /**
     * @param key      the object
     * @param before   its stored inventory row, or null (copied, never changed)
     * @param entries  the objects it owns now
     * @return a new inventory row for {@code key} with {@code entries} and what {@code before} had applied
     */
    static InventoryRecord inventory(ObjectKey key, InventoryRecord before, List<InventoryEntry> entries) {
        InventoryRecord record = new InventoryRecord();
        record.objectKey = key.toString();
        if (before != null) {
            record.appliedDigest = before.appliedDigest;
            record.appliedGeneration = before.appliedGeneration;
            record.appliedRevision = before.appliedRevision;
            record.appliedSequence = before.appliedSequence;
        }
        record.entries = toJson(entries.stream().map(InventoryEntry::toRef).toList());
        record.updatedAt = OffsetDateTime.now();
        return record;
    }

    /** Marks {@code record} as having applied {@code desired}. */
    static void applied(InventoryRecord record, DesiredState desired) {
        record.appliedDigest = desired.bundleDigest;
        record.appliedGeneration = desired.generation;
        record.appliedRevision = desired.sourceRevision;
        record.appliedSequence = desired.sourceSequence;
    }

    /**
     * @return the objects {@code r} owns: from its stored inventory row, else from {@code status.inventory} (an object
     *         applied before the applier kept rows, or whose row was lost), else none
     * @throws UncheckedIOException when the stored row is not a JSON array of inventory refs
     */
    static List<InventoryEntry> previous(Reconcilable r, InventoryRecord inventory) {
        List<ResourceRef> refs;
        if (inventory != null) {
            try {
                refs = JSON.readValue(inventory.entries, new TypeReference<>() { });
            } catch (IOException e) {
                throw new UncheckedIOException("inventory row of " + r.key() + " is not valid JSON", e);
            }
        } else if (r.status() != null && r.status().inventory() != null && r.status().inventory().entries() != null) {
            refs = r.status().inventory().entries();
        } else {
            refs = List.of();
        }
        return new ArrayList<>(refs.stream().map(InventoryEntry::fromRef).toList());
    }

    /**
     * kustomize-controller's requeue: {@code spec.interval} after a success, {@code spec.retryInterval} (defaulting to
     * the interval) after a failure; 10m when the interval is missing.
     *
     * @return the time until the next run of {@code r}
     */
    static Duration nextRunIn(Reconcilable r, boolean succeeded) {
        Duration interval = GoDuration.parseOr(r.interval(), DEFAULT_INTERVAL);
        return succeeded ? interval : GoDuration.parseOr(r.retryInterval(), interval);
    }

    /** @return {@code r}'s conditions, or null without status */
    static List<Condition> conditions(Reconcilable r) {
        return r.status() == null ? null : r.status().conditions();
    }

    private static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

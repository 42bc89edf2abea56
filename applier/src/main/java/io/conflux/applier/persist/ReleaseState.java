package io.conflux.applier.persist;

import io.conflux.applier.release.ReleaseCounters;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.Objects;

/**
 * Table {@code release_state}: per HelmRelease, helm-controller's failure counters for the attempt identified by
 * generation and bundle digest (a new spec, chart version or values starts from zero), the last attempted action,
 * and whether the retries are exhausted.
 */
@Entity
@Table(name = "release_state")
public class ReleaseState extends PanacheEntityBase {
    /** {@code HelmRelease/namespace/name}. */
    @Id
    public String objectKey;
    public long generation;
    public String bundleDigest;
    /** {@code install} or {@code upgrade}. */
    public String lastAction;
    public int failures;
    public int installFailures;
    public int upgradeFailures;
    /** Retries exhausted for this generation and bundle: nothing is attempted until one of them changes. */
    public boolean stalled;
    public OffsetDateTime updatedAt;

    /** @return whether this state counts for the given generation and bundle */
    public boolean isFor(long generation, String bundleDigest) {
        return this.generation == generation && Objects.equals(this.bundleDigest, bundleDigest);
    }

    /** @return the counters */
    public ReleaseCounters counters() {
        return new ReleaseCounters(failures, installFailures, upgradeFailures);
    }

    /** Starts counting for a new generation and bundle. */
    public void reset(String objectKey, long generation, String bundleDigest) {
        this.objectKey = objectKey;
        this.generation = generation;
        this.bundleDigest = bundleDigest;
        this.failures = 0;
        this.installFailures = 0;
        this.upgradeFailures = 0;
        this.stalled = false;
    }

    /** Stores the counters after an attempt. */
    public void count(ReleaseCounters counters) {
        this.failures = counters.failures();
        this.installFailures = counters.installFailures();
        this.upgradeFailures = counters.upgradeFailures();
    }
}

package io.conflux.applier.reconcile;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;

/** The applier's keys ({@code conflux.applier.*}), documented in {@code application.properties}. */
@ConfigMapping(prefix = "conflux.applier")
public interface ApplierConfig {

    /** {@code conflux.applier.field-manager}: the server-side apply field manager. */
    @WithName("field-manager")
    String fieldManager();

    /** {@code conflux.applier.health-poll-interval}: time between two reads of objects under a health check. */
    @WithName("health-poll-interval")
    java.time.Duration healthPollInterval();

    /** {@code conflux.applier.reporting-controller}: {@code reportingController} of the events emitted. */
    @WithName("reporting-controller")
    String reportingController();
}

package io.conflux.applier;

import io.conflux.service.testing.FlowRules;
import org.junit.jupiter.api.Test;

/** The applier's packages follow the flow consume → reconcile/apply/release → persist → produce. */
class ArchitectureTest {

    @Test
    void domainPackagesNeverReachConsumeOrProduce() {
        FlowRules.check("applier");
    }
}

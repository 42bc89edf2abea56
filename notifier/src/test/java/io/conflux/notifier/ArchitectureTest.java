package io.conflux.notifier;

import io.conflux.service.testing.FlowRules;
import org.junit.jupiter.api.Test;

/** The notifier's packages follow consume → dispatch/match → persist → deliver: the domain never reaches consume or produce. */
class ArchitectureTest {
    @Test
    void domainPackagesDoNotImportConsumeOrProduce() {
        FlowRules.check("notifier");
    }
}

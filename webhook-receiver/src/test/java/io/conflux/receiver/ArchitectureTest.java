package io.conflux.receiver;

import io.conflux.service.testing.FlowRules;
import org.junit.jupiter.api.Test;

/** The receiver's packages follow consume → decide → persist → produce: the domain never reaches consume or produce. */
class ArchitectureTest {
    @Test
    void domainPackagesDoNotImportConsumeOrProduce() {
        FlowRules.check("receiver");
    }
}

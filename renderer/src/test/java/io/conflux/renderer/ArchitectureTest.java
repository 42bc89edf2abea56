package io.conflux.renderer;

import io.conflux.service.testing.FlowRules;
import org.junit.jupiter.api.Test;

/**
 * The renderer's packages follow the flow consume → render/source (domain) → persist → produce: no domain class
 * depends on {@code ..consume..} or {@code ..produce..} (service-common's {@link FlowRules}).
 */
class ArchitectureTest {
    @Test
    void domainPackagesNeverReachConsumeOrProduce() {
        FlowRules.check("renderer");
    }
}

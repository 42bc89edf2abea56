package io.conflux.service.testing;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

/** The flow rule on two fixture "services" in this module's tests: one keeps the flow, one breaks it. */
class FlowRulesTest {

    @Test
    void aDomainClassImportingConsumeIsReported() {
        assertThatThrownBy(() -> FlowRules.domainDoesNotReachConsumeOrProduce("flowbad")
                .check(new ClassFileImporter().importPackages("io.conflux.flowbad")))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("io.conflux.flowbad.decide.Decision")
                .hasMessageContaining("io.conflux.flowbad.consume.Handler");
    }

    @Test
    void consumersCallingTheDomainPass() {
        assertThatCode(() -> FlowRules.domainDoesNotReachConsumeOrProduce("flowgood")
                .check(new ClassFileImporter().importPackages("io.conflux.flowgood"))).doesNotThrowAnyException();
    }
}

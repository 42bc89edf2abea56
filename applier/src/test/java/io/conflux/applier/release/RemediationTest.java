package io.conflux.applier.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** helm-controller's remediation defaults and retry arithmetic. */
class RemediationTest {

    @Test
    void defaultsAreNoRetriesAndNoRemediationOfTheLastFailure() {
        Remediation install = Remediation.install(null);
        assertThat(install).isEqualTo(new Remediation(0, false, Remediation.UNINSTALL));
        assertThat(install.canRetry(1)).isFalse();
        assertThat(install.remediates(1)).isFalse();
        Remediation upgrade = Remediation.upgrade(Map.of());
        assertThat(upgrade).isEqualTo(new Remediation(0, false, Remediation.ROLLBACK));
    }

    @Test
    void upgradeRetriesTurnOnRemediationOfTheLastFailure() {
        Remediation upgrade = Remediation.upgrade(Map.of("remediation", Map.of("retries", 2)));
        assertThat(upgrade.remediateLastFailure()).isTrue();
        assertThat(upgrade.canRetry(1)).isTrue();
        assertThat(upgrade.canRetry(2)).isTrue();
        assertThat(upgrade.canRetry(3)).isFalse();
        assertThat(upgrade.remediates(3)).isTrue();
        Remediation kept = Remediation.upgrade(Map.of("remediation", Map.of("retries", 2, "remediateLastFailure", false,
                "strategy", "uninstall")));
        assertThat(kept.remediates(3)).isFalse();
        assertThat(kept.strategy()).isEqualTo(Remediation.UNINSTALL);
        Remediation install = Remediation.install(Map.of("remediation", Map.of("retries", 1)));
        assertThat(install.remediateLastFailure()).isFalse();
    }

    @Test
    void negativeRetriesRetryForever() {
        Remediation unlimited = Remediation.install(Map.of("remediation", Map.of("retries", -1)));
        assertThat(unlimited.canRetry(1_000)).isTrue();
    }

    @Test
    void wrongValuesNameTheField() {
        assertThatThrownBy(() -> Remediation.upgrade(Map.of("remediation", Map.of("strategy", "ignore"))))
                .hasMessage("spec.upgrade.remediation.strategy must be rollback or uninstall, not 'ignore'");
        assertThatThrownBy(() -> Remediation.install(Map.of("remediation", Map.of("retries", "many"))))
                .hasMessage("spec.install.remediation.retries must be an integer, not 'many'");
    }
}

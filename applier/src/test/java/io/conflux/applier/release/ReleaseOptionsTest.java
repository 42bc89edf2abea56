package io.conflux.applier.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conflux.applier.apply.CrdPolicy;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** helm-controller's defaults and field errors of {@code spec.install} / {@code spec.upgrade}'s applier options. */
class ReleaseOptionsTest {

    @Test
    void defaultsAreHelmControllers() {
        ReleaseOptions install = ReleaseOptions.install(null, null);
        assertThat(install).isEqualTo(new ReleaseOptions(CrdPolicy.CREATE, true, true, false, false, Duration.ofMinutes(5)));
        ReleaseOptions upgrade = ReleaseOptions.upgrade(Map.of(), null);
        assertThat(upgrade).isEqualTo(new ReleaseOptions(CrdPolicy.SKIP, true, true, false, false, Duration.ofMinutes(5)));
    }

    @Test
    void fieldsAreRead() {
        assertThat(ReleaseOptions.install(Map.of("crds", "CreateReplace", "disableWait", true, "disableWaitForJobs", "true",
                "timeout", "90s"), "10m")).isEqualTo(new ReleaseOptions(CrdPolicy.CREATE_REPLACE, false, false, false,
                false, Duration.ofSeconds(90)));
        assertThat(ReleaseOptions.install(Map.of("skipCRDs", true), null).crds()).isEqualTo(CrdPolicy.SKIP);
        assertThat(ReleaseOptions.install(Map.of("skipCRDs", true, "crds", "Create"), null).crds()).isEqualTo(CrdPolicy.CREATE);
        assertThat(ReleaseOptions.upgrade(Map.of("crds", "Create", "force", true, "cleanupOnFail", true), "2m"))
                .isEqualTo(new ReleaseOptions(CrdPolicy.CREATE, true, true, true, true, Duration.ofMinutes(2)));
    }

    @Test
    void badValuesNameTheirField() {
        assertThatThrownBy(() -> ReleaseOptions.upgrade(Map.of("crds", "Replace"), null))
                .hasMessage("spec.upgrade.crds must be Skip, Create or CreateReplace, not 'Replace'");
        assertThatThrownBy(() -> ReleaseOptions.install(Map.of("disableWait", "yes"), null))
                .hasMessage("spec.install.disableWait must be true or false, not 'yes'");
        assertThatThrownBy(() -> ReleaseOptions.upgrade(null, "soon"))
                .hasMessage("spec.timeout must be a duration such as 5m, not 'soon'");
    }
}

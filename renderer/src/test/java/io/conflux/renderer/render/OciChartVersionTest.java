package io.conflux.renderer.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conflux.helm.HelmException;
import org.junit.jupiter.api.Test;

/** helm-controller's version of a chart from an OCIRepository: the artifact digest as build metadata. */
class OciChartVersionTest {
    private static final String DIGEST = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    @Test
    void semverTagMustNameTheChartVersionAndItsDigestBecomesTheMetadata() {
        assertThat(OciChartVersion.of("6.5.0", "6.5.0@" + DIGEST))
                .isEqualTo(new OciChartVersion("6.5.0+0123456789ab", DIGEST));
        // OCI tags write + as _; the chart's own build metadata is replaced
        assertThat(OciChartVersion.of("6.5.0+old", "6.5.0_old@" + DIGEST).version()).isEqualTo("6.5.0+0123456789ab");
        assertThatThrownBy(() -> OciChartVersion.of("6.5.0", "6.4.0@" + DIGEST)).isInstanceOf(HelmException.class)
                .hasMessage("artifact revision 6.4.0 does not match chart version 6.5.0");
    }

    @Test
    void aDigestOrANonSemverTagGivesTheDigestAlone() {
        assertThat(OciChartVersion.of("1.0.0", DIGEST)).isEqualTo(new OciChartVersion("1.0.0+0123456789ab", DIGEST));
        assertThat(OciChartVersion.of("1.0.0", "latest@" + DIGEST))
                .isEqualTo(new OciChartVersion("1.0.0+0123456789ab", "latest@" + DIGEST));
        assertThatThrownBy(() -> OciChartVersion.of("1.0.0", "sha256:abc")).isInstanceOf(HelmException.class)
                .hasMessage("invalid artifact revision sha256:abc");
        assertThatThrownBy(() -> OciChartVersion.of("one", DIGEST)).isInstanceOf(HelmException.class);
    }
}

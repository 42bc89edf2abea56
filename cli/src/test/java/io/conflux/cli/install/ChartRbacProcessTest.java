package io.conflux.cli.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chart's RBAC rendered in a child JVM is what {@link ConfluxChart#rbac(String)} renders in this one. */
class ChartRbacProcessTest {
    private static final Path ROOT = Path.of("..");
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    @Test
    void rendersTheSameObjectsAsTheChartInThisJvm() {
        List<Map<String, Object>> inChild;
        try (ChartRbacProcess child = ChartRbacProcess.start(ROOT, "flux-system")) {
            inChild = child.objects(TIMEOUT);
        }
        assertThat(inChild).isNotEmpty()
                .allSatisfy(o -> assertThat(ConfluxChart.RBAC_KINDS).contains(String.valueOf(o.get("kind"))));
        assertThat(inChild).isEqualTo(new ConfluxChart(ROOT).rbac("flux-system"));
    }

    @Test
    void aChartThatDoesNotRenderFailsWithTheChildsError(@TempDir Path empty) {
        try (ChartRbacProcess child = ChartRbacProcess.start(empty, "flux-system")) {
            assertThatThrownBy(() -> child.objects(TIMEOUT))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("rendering the chart's RBAC failed (exit 1)")
                    .hasMessageContaining(empty.resolve(ConfluxChart.DIRECTORY).getFileName().toString());
        }
    }
}

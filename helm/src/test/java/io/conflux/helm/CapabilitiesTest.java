package io.conflux.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A chart that renders a ServiceMonitor only when the cluster serves {@code monitoring.coreos.com/v1}, rendered by the
 * embedded Helm for clusters of different capabilities.
 */
class CapabilitiesTest {
    @TempDir
    Path tmp;

    @Test
    void serviceMonitorIsRenderedOnlyWhereTheCrdIsServed() throws IOException {
        Path chart = monitoredChart();
        Set<String> plain = Capabilities.apiVersions(List.of(new Capabilities.GroupVersion("v1", List.of("ConfigMap")),
                new Capabilities.GroupVersion("apps/v1", List.of("Deployment"))));
        Set<String> monitored = Capabilities.apiVersions(List.of(new Capabilities.GroupVersion("v1", List.of("ConfigMap")),
                new Capabilities.GroupVersion("monitoring.coreos.com/v1", List.of("ServiceMonitor", "PodMonitor"))));
        ChartRenderer helm = new ChartRenderer();

        assertThat(kinds(helm.render(chart, "app", "apps", Map.of(), Capabilities.DEFAULT)))
                .containsExactly("ConfigMap/app-caps");
        assertThat(kinds(helm.render(chart, "app", "apps", Map.of(), new Capabilities(null, plain))))
                .containsExactly("ConfigMap/app-caps");
        ChartRenderer.Release withCrd = helm.render(chart, "app", "apps", Map.of(), new Capabilities("v1.31.2", monitored));
        assertThat(kinds(withCrd)).containsExactlyInAnyOrder("ConfigMap/app-caps", "ServiceMonitor/app", "PodMonitor/app");
        assertThat(withCrd.manifest().get(0)).extracting("data").isEqualTo(Map.of("kube", "v1.31.2", "has", "true"));
        assertThat(Capabilities.apiVersions(List.of(new Capabilities.GroupVersion("apps/v1", List.of("Deployment")))))
                .containsExactly("apps/v1", "apps/v1/Deployment");
    }

    private static List<String> kinds(ChartRenderer.Release release) {
        return release.manifest().stream().map(o -> o.get("kind") + "/" + ((Map<?, ?>) o.get("metadata")).get("name"))
                .toList();
    }

    private Path monitoredChart() throws IOException {
        Path chart = Files.createDirectories(tmp.resolve("monitored/templates"));
        Files.writeString(chart.resolve("caps.yaml"), """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: {{ .Release.Name }}-caps}
                data:
                  kube: {{ .Capabilities.KubeVersion.Version | quote }}
                  has: {{ .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" | quote }}
                """);
        Files.writeString(chart.resolve("monitor.yaml"), """
                {{- if .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" }}
                apiVersion: monitoring.coreos.com/v1
                kind: ServiceMonitor
                metadata: {name: {{ .Release.Name }}}
                spec: {selector: {matchLabels: {app: x}}, endpoints: [{port: http}]}
                {{- end }}
                {{- $kind := "monitoring.coreos.com/v1/PodMonitor" }}
                {{- if and true ($.Capabilities.APIVersions.Has $kind) }}
                ---
                apiVersion: monitoring.coreos.com/v1
                kind: PodMonitor
                metadata: {name: {{ .Release.Name }}}
                spec: {selector: {matchLabels: {app: x}}, podMetricsEndpoints: [{port: http}]}
                {{- end }}
                """);
        Files.writeString(chart.getParent().resolve("Chart.yaml"), "apiVersion: v2\nname: monitored\nversion: 1.0.0\n");
        return chart.getParent();
    }
}

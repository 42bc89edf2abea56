package io.conflux.renderer.render;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.embedded.InMemoryKubernetes;
import io.conflux.helm.Capabilities;
import io.conflux.helm.testing.LocalChartRepository;
import io.conflux.model.helm.HelmRelease;
import io.conflux.model.helm.ReleaseBundle;
import io.conflux.model.source.HelmRepository;
import io.conflux.model.source.HelmRepositorySpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A chart rendering a ServiceMonitor only when {@code monitoring.coreos.com/v1} is served, rendered by the renderer
 * for the in-memory API server before and after the ServiceMonitor CRD is installed: {@code .Capabilities.APIVersions}
 * come from the cluster's discovery ({@link ClusterCapabilities}).
 */
class ClusterCapabilitiesTest {
    @TempDir
    Path tmp;

    @Test
    void serviceMonitorIsRenderedOnlyOnceItsCrdIsServed() throws IOException {
        Path chart = monitoredChart(tmp);
        try (InMemoryKubernetes cluster = InMemoryKubernetes.start();
             LocalChartRepository repo = LocalChartRepository.start(chart)) {
            KubernetesClient client = cluster.client();
            AtomicLong clock = new AtomicLong();
            ClusterCapabilities discovery = new ClusterCapabilities(client, Duration.ofMinutes(1), clock::get);

            Capabilities before = discovery.read();
            assertThat(before.apiVersions()).contains("v1", "v1/ConfigMap", "apps/v1", "apps/v1/Deployment")
                    .doesNotContain("monitoring.coreos.com/v1");
            assertThat(kinds(render(tmp, repo, before))).containsExactly("ConfigMap");

            client.resource(serviceMonitorCrd()).create();
            assertThat(discovery.read()).as("kept for discovery-cache").isSameAs(before);
            clock.addAndGet(Duration.ofMinutes(1).toNanos());
            Capabilities after = discovery.read();
            assertThat(after.apiVersions()).contains("monitoring.coreos.com/v1", "monitoring.coreos.com/v1/ServiceMonitor");
            assertThat(kinds(render(tmp, repo, after))).containsExactlyInAnyOrder("ConfigMap", "ServiceMonitor");
        }
    }

    /** @return the kinds of the release's objects (the render must have succeeded) */
    static List<String> kinds(HelmReleaseRenderer.Rendered rendered) {
        assertThat(rendered.outcome().message()).isNull();
        return ReleaseBundle.parse(new ObjectMapper(), rendered.outcome().bundle().content()).objects().stream()
                .map(o -> String.valueOf(o.get("kind"))).toList();
    }

    /** @return the chart {@code monitored} of {@code repo} rendered for {@code capabilities}, charts cached under tmp */
    static HelmReleaseRenderer.Rendered render(Path tmp, LocalChartRepository repo, Capabilities capabilities) {
        HelmRepository repository = new HelmRepository();
        repository.setMetadata(new ObjectMetaBuilder().withNamespace("flux-system").withName("charts").build());
        repository.setSpec(new HelmRepositorySpec(repo.url(), null, "1h", null, null, null));
        HelmRelease hr = Serialization.unmarshal("""
                apiVersion: helm.toolkit.fluxcd.io/v2
                kind: HelmRelease
                metadata: {name: app, namespace: apps}
                spec:
                  interval: 10m
                  chart:
                    spec:
                      chart: monitored
                      sourceRef: {kind: HelmRepository, name: charts, namespace: flux-system}
                """, HelmRelease.class);
        return new HelmReleaseRenderer(tmp.resolve("charts"), Duration.ofSeconds(10), new ObjectMapper()).render(hr,
                new HelmReleaseRenderer.ChartSources((ns, n) -> Optional.of(repository), (s, r) -> Optional.empty()),
                (ns, n) -> null, (ns, n) -> null, capabilities);
    }

    /**
     * @return a chart {@code monitored} under tmp: a ConfigMap holding {@code .Capabilities.KubeVersion.Version}, and
     *         a ServiceMonitor only when {@code monitoring.coreos.com/v1} is served
     */
    static Path monitoredChart(Path tmp) throws IOException {
        Path templates = Files.createDirectories(tmp.resolve("monitored/templates"));
        Files.writeString(templates.resolve("cm.yaml"), """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: {{ .Release.Name }}}
                data: {kube: {{ .Capabilities.KubeVersion.Version | quote }}}
                """);
        Files.writeString(templates.resolve("servicemonitor.yaml"), """
                {{- if .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" }}
                apiVersion: monitoring.coreos.com/v1
                kind: ServiceMonitor
                metadata: {name: {{ .Release.Name }}}
                spec: {selector: {matchLabels: {app: x}}, endpoints: [{port: http}]}
                {{- end }}
                """);
        Files.writeString(templates.getParent().resolve("Chart.yaml"), "apiVersion: v2\nname: monitored\nversion: 1.0.0\n");
        return templates.getParent();
    }

    /** @return the ServiceMonitor CRD (monitoring.coreos.com/v1) */
    static String serviceMonitorCrd() {
        return """
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata: {name: servicemonitors.monitoring.coreos.com}
                spec:
                  group: monitoring.coreos.com
                  scope: Namespaced
                  names: {kind: ServiceMonitor, listKind: ServiceMonitorList, plural: servicemonitors, singular: servicemonitor}
                  versions:
                  - name: v1
                    served: true
                    storage: true
                    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
                """;
    }
}

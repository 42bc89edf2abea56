package io.conflux.cli.install;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.embedded.InMemoryKubernetes;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ChartInstaller} reads API discovery once per install and group version, not once per object. */
class ChartInstallerTest {
    private static final Map<String, Object> MINIMAL = Map.of(
            "kafka", Map.of("bootstrapServers", "conflux-kafka-bootstrap.kafka:9092"),
            "postgresql", Map.of("host", "conflux-pg-rw.postgres"));

    @TempDir
    Path work;

    @Test
    void eachGroupVersionIsDiscoveredOncePerInstall() {
        List<Map<String, Object>> objects = new ConfluxChart(Path.of("..")).render("flux-system", MINIMAL);
        List<String> apiVersions = objects.stream().map(o -> (String) o.get("apiVersion")).distinct().toList();
        assertThat(objects).hasSizeGreaterThan(apiVersions.size() * 2);
        try (InMemoryKubernetes kube = InMemoryKubernetes.start()) {
            List<String> discovery = new CopyOnWriteArrayList<>();
            Config config = Config.fromKubeconfig(kube.writeKubeconfig(work.resolve("kubeconfig")).toFile());
            try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config)
                    .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("discovery", new Interceptor() {
                        @Override
                        public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
                            String path = request.uri().getPath();
                            if ("GET".equals(request.method()) && path.matches("/api/v1/?|/apis/[^/]+/[^/]+/?")) {
                                discovery.add(path);
                            }
                        }
                    })).build()) {
                List<String> applied = new ArrayList<>();
                new ChartInstaller(client).apply("flux-system", objects, applied::add);
                assertThat(applied).hasSize(objects.size() + 1); // and the namespace created
            }
            assertThat(discovery).as("discovery requests").doesNotHaveDuplicates()
                    .hasSameSizeAs(apiVersions);
        }
    }
}

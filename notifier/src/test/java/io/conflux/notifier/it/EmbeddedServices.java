package io.conflux.notifier.it;

import io.conflux.embedded.EmbeddedKafka;
import io.conflux.embedded.EmbeddedPostgres;
import io.conflux.embedded.InMemoryKubernetes;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Starts a real Kafka broker, a real PostgreSQL and the in-memory Kubernetes API (with Conflux's CRDs and a
 * {@code flux-system} namespace) for {@code @QuarkusTest}s, and points the notifier at them. Retries are made
 * fast (3 attempts, 10 ms backoff; the handler's transient retries 50 ms to 0.5 s) and the per-Provider spacing is off.
 */
public class EmbeddedServices implements QuarkusTestResourceLifecycleManager {
    static volatile EmbeddedKafka kafka;
    static volatile EmbeddedPostgres postgres;
    static volatile InMemoryKubernetes kube;

    @Override
    public Map<String, String> start() {
        try {
            Path dir = Files.createTempDirectory("conflux-notifier-test");
            kafka = EmbeddedKafka.start(dir.resolve("kafka"));
            postgres = EmbeddedPostgres.start(dir.resolve("postgres"));
            kube = InMemoryKubernetes.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        kube.installCrds(Path.of("..", "deploy", "crds"));
        kube.client().resource(new NamespaceBuilder().withNewMetadata().withName("flux-system").endMetadata().build())
                .create();
        Map<String, String> config = new java.util.LinkedHashMap<>(postgres.quarkusDatasource());
        // a free port rather than 8081: other modules' tests may run on the same machine at the same time
        config.put("quarkus.http.test-port", String.valueOf(io.conflux.embedded.Ports.freePort()));
        config.putAll(Map.of(
                "kafka.bootstrap.servers", kafka.bootstrapServers(),
                "quarkus.kubernetes-client.api-server-url", kube.url(),
                "quarkus.kubernetes-client.namespace", "default",
                "conflux.notifier.retry.max-attempts", "3",
                "conflux.notifier.retry.initial-backoff", "0.01S",
                "conflux.notifier.retry.max-backoff", "0.05S",
                "conflux.notifier.provider-min-interval", "0S",
                "conflux.notifier.invalid-config-recheck", "0.5S",
                "conflux.retry.initial-backoff", "0.05S",
                "conflux.retry.max-backoff", "0.5S"));
        return config;
    }

    @Override
    public void stop() {
        if (kube != null) {
            kube.close();
        }
        if (postgres != null) {
            postgres.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    /** @return a client of the in-memory management cluster */
    static KubernetesClient client() {
        return kube.client();
    }
}

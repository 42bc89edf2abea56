package io.conflux.renderer.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.embedded.InMemoryKubernetes;
import io.conflux.helm.testing.LocalChartRepository;
import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.source.Artifact;
import io.conflux.model.source.HelmRepository;
import io.conflux.model.source.HelmRepositorySpec;
import io.conflux.service.SecretReader;
import io.conflux.service.StatusPatcher;
import io.conflux.renderer.render.TestRendererConfig;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The renderer's HelmRepository reconciler writes source-controller's status: Ready=True with the index digest as
 * artifact revision for a served index, Ready=False FetchFailed naming the URL (the previous artifact kept) when the
 * repository is down.
 */
class HelmRepositoryReconcilerTest {
    private static final String INDEX = """
            apiVersion: v1
            entries:
              podinfo:
                - name: podinfo
                  version: 6.5.4
                  urls:
                    - podinfo-6.5.4.tgz
            generated: "2024-01-01T00:00:00Z"
            """;

    @TempDir
    Path tmp;

    private InMemoryKubernetes kube;
    private KubernetesClient client;
    private HelmRepositoryReconciler reconciler;

    @BeforeEach
    void start() {
        kube = InMemoryKubernetes.start();
        kube.installCrds(Path.of("..", "deploy", "crds"));
        client = kube.client();
        reconciler = new HelmRepositoryReconciler();
        reconciler.client = client;
        reconciler.json = new ObjectMapper();
        reconciler.secrets = new SecretReader(client);
        reconciler.status = new StatusPatcher(client, Duration.ofMillis(50), Duration.ofMillis(200), 3);
        reconciler.leading = () -> true;
        reconciler.config = TestRendererConfig.of(tmp.resolve("mirrors"), tmp.resolve("charts"));
        reconciler.init();
    }

    @AfterEach
    void stop() {
        reconciler.close();
        kube.close();
    }

    @Test
    void servedIndexIsReadyWithItsDigestAndAnOutageIsFetchFailedKeepingTheArtifact() throws Exception {
        String url;
        Artifact stored;
        try (LocalChartRepository charts = LocalChartRepository.builder().index(INDEX).start()) {
            url = charts.url();
            HelmRepository repo = new HelmRepository();
            repo.setMetadata(new ObjectMetaBuilder().withNamespace("default").withName("podinfo").build());
            repo.setSpec(new HelmRepositorySpec(url, null, "1h", null, null, "5s"));
            client.resource(repo).create();

            reconciler.onChange(client.resource(repo).get());
            Condition ready = awaitReady("True");
            String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(INDEX.getBytes(StandardCharsets.UTF_8)));
            assertThat(ready.reason()).isEqualTo("Succeeded");
            assertThat(ready.message()).isEqualTo("stored artifact: revision '" + digest + "'");
            stored = current().getStatus().artifact();
            assertThat(stored.revision()).isEqualTo(digest);
            assertThat(stored.digest()).isEqualTo(digest);
            assertThat(stored.url()).isEqualTo(url);
            assertThat(charts.requestCount("index.yaml")).isEqualTo(1);
        }

        // the repository is down: Ready=False FetchFailed naming the URL, the last artifact still served
        reconciler.onChange(current());
        Condition down = awaitReady("False");
        assertThat(down.reason()).isEqualTo("FetchFailed");
        assertThat(down.message()).contains(url);
        assertThat(current().getStatus().artifact()).isEqualTo(stored);
    }

    /** {@code flux reconcile source helm}: the requestedAt annotation is acknowledged in lastHandledReconcileAt. */
    @Test
    void aRequestedReconcileIsAcknowledged() throws Exception {
        try (LocalChartRepository charts = LocalChartRepository.builder().index(INDEX).start()) {
            HelmRepository repo = new HelmRepository();
            repo.setMetadata(new ObjectMetaBuilder().withNamespace("default").withName("podinfo")
                    .addToAnnotations("reconcile.fluxcd.io/requestedAt", "2026-12-04T10:00:00Z").build());
            repo.setSpec(new HelmRepositorySpec(charts.url(), null, "1h", null, null, "5s"));
            client.resource(repo).create();

            reconciler.onChange(current());
            awaitReady("True");
            assertThat(lastHandledReconcileAt()).isEqualTo("2026-12-04T10:00:00Z");

            HelmRepository oci = new HelmRepository();
            oci.setMetadata(new ObjectMetaBuilder().withNamespace("default").withName("oci")
                    .addToAnnotations("reconcile.fluxcd.io/requestedAt", "2026-12-04T11:00:00Z").build());
            oci.setSpec(new HelmRepositorySpec("oci://registry.local/charts", "oci", "1h", null, null, "5s"));
            client.resource(oci).create();
            reconciler.onChange(oci);
            Instant deadline = Instant.now().plusSeconds(30);
            while (!"2026-12-04T11:00:00Z".equals(lastHandledReconcileAt("oci")) && Instant.now().isBefore(deadline)) {
                Thread.sleep(100);
            }
            assertThat(lastHandledReconcileAt("oci")).as("an OCI repository acknowledges too").isEqualTo("2026-12-04T11:00:00Z");
        }
    }

    private String lastHandledReconcileAt() {
        return lastHandledReconcileAt("podinfo");
    }

    private String lastHandledReconcileAt(String name) {
        var raw = client.genericKubernetesResources("source.toolkit.fluxcd.io/v1", "HelmRepository").inNamespace("default")
                .withName(name).get();
        return raw.get("status") instanceof Map<?, ?> status ? (String) status.get("lastHandledReconcileAt") : null;
    }

    private HelmRepository current() {
        return client.resources(HelmRepository.class).inNamespace("default").withName("podinfo").get();
    }

    private Condition awaitReady(String status) throws InterruptedException {
        Predicate<Condition> wanted = c -> status.equals(c.status());
        Instant deadline = Instant.now().plusSeconds(30);
        while (Instant.now().isBefore(deadline)) {
            HelmRepository r = current();
            var ready = r.getStatus() == null ? null
                    : Conditions.find(r.getStatus().conditions(), Condition.READY).filter(wanted).orElse(null);
            if (ready != null) {
                return ready;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("HelmRepository never Ready=" + status + ": " + current().getStatus());
    }

}

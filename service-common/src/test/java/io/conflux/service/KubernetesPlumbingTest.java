package io.conflux.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.conflux.embedded.InMemoryKubernetes;
import io.conflux.model.meta.ObjectKey;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** StatusPatcher, SecretReader, LeaderElection and Transient's API-server cases against the in-memory API. */
class KubernetesPlumbingTest {
    static InMemoryKubernetes kube;
    static KubernetesClient client;

    @BeforeAll
    static void start() {
        kube = InMemoryKubernetes.start();
        kube.installCrds(Path.of("..", "deploy", "crds"));
        client = kube.client();
    }

    @AfterAll
    static void stop() {
        kube.close();
    }

    private static GenericKubernetesResource kustomization(String name) {
        return new GenericKubernetesResourceBuilder()
                .withApiVersion("kustomize.toolkit.fluxcd.io/v1").withKind("Kustomization")
                .withNewMetadata().withNamespace("default").withName(name).endMetadata()
                .withAdditionalProperties(Map.of("spec", Map.of("interval", "5m", "prune", true, "path", "./",
                        "sourceRef", Map.of("kind", "GitRepository", "name", "repo"))))
                .build();
    }

    private static StatusPatcher patcher() {
        return new StatusPatcher(client, Duration.ofMillis(10), Duration.ofMillis(100), 3);
    }

    @Test
    void patchesTheStatusSubresourceAsAMergePatch() {
        client.resource(kustomization("patched")).create();
        StatusPatcher patcher = patcher();
        ObjectKey key = new ObjectKey("Kustomization", "default", "patched");
        assertThat(patcher.patch(key, Map.of("lastAppliedRevision", "main@sha1:1", "observedGeneration", 1)))
                .isTrue();
        assertThat(patcher.patch(key, Map.of("lastAttemptedRevision", "main@sha1:2"))).isTrue();
        GenericKubernetesResource read = client.genericKubernetesResources("kustomize.toolkit.fluxcd.io/v1",
                "Kustomization").inNamespace("default").withName("patched").get();
        @SuppressWarnings("unchecked")
        Map<String, Object> status = (Map<String, Object>) read.getAdditionalProperties().get("status");
        assertThat(status).containsEntry("lastAppliedRevision", "main@sha1:1")
                .containsEntry("lastAttemptedRevision", "main@sha1:2")
                .containsEntry("observedGeneration", 1);
    }

    @Test
    void aMissingObjectIsFalseAndAnUnknownKindIsRefused() {
        assertThat(patcher().patch(new ObjectKey("GitRepository", "default", "absent"), Map.of("x", 1))).isFalse();
        assertThatThrownBy(() -> patcher().patch(new ObjectKey("ConfigMap", "default", "x"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ConfigMap");
    }

    @Test
    void readsSecretsDecodedAndConfigMaps() {
        client.resource(new SecretBuilder().withNewMetadata().withNamespace("default").withName("creds").endMetadata()
                .withData(Map.of("username", b64("flux"), "key", b64("\u0000\u00ffbin"))).build()).create();
        client.resource(new ConfigMapBuilder().withNewMetadata().withNamespace("default").withName("values")
                .endMetadata().withData(Map.of("replicas", "3")).build()).create();
        SecretReader reader = new SecretReader(client);
        assertThat(reader.secretData("default", "creds")).hasValueSatisfying(d ->
                assertThat(d).containsEntry("username", "flux"));
        assertThat(reader.secretBytes("default", "creds")).hasValueSatisfying(d ->
                assertThat(d.get("key")).isEqualTo("\u0000\u00ffbin".getBytes(StandardCharsets.UTF_8)));
        assertThat(reader.secretData("default", "absent")).isEmpty();
        assertThat(reader.configMapData("default", "values")).contains(Map.of("replicas", "3"));
        assertThat(reader.configMapData("default", "absent")).isEmpty();
    }

    @Test
    void apiServerFailuresAreSorted() {
        Throwable notFound = catchThrowable(() -> client.genericKubernetesResources("kustomize.toolkit.fluxcd.io/v1",
                "Kustomization").inNamespace("default").withName("nope").edit(r -> r));
        client.resource(kustomization("twice")).create();
        Throwable conflict = catchThrowable(() -> client.resource(kustomization("twice")).create());
        assertThat(notFound).isInstanceOf(KubernetesClientException.class);
        assertThat(((KubernetesClientException) notFound).getCode()).isEqualTo(404);
        assertThat(((KubernetesClientException) conflict).getCode()).isEqualTo(409);
        assertThat(Transient.is(notFound)).isFalse();
        assertThat(Transient.is(conflict)).isFalse();
        assertThat(Transient.is(new KubernetesClientException("unavailable", 503, null))).isTrue();
        assertThat(Transient.is(new KubernetesClientException("slow down", 429, null))).isTrue();
        Throwable refused = catchThrowable(() -> {
            try (KubernetesClient dead = new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                    .withConfig(new io.fabric8.kubernetes.client.ConfigBuilder().withMasterUrl("https://127.0.0.1:1")
                            .withRequestRetryBackoffLimit(0).withConnectionTimeout(2000).build()).build()) {
                dead.configMaps().inNamespace("default").list();
            }
        });
        assertThat(refused).isInstanceOf(KubernetesClientException.class);
        assertThat(Transient.is(refused)).as(refused.toString()).isTrue();
    }

    @Test
    void oneOfTwoReplicasLeadsAndTheOtherTakesOverWhenItStops() {
        LeaderElection a = new LeaderElection(client, "conflux-test", "default", Duration.ofSeconds(2));
        LeaderElection b = new LeaderElection(client, "conflux-test", "default", Duration.ofSeconds(2));
        try {
            a.start();
            b.start();
            awaitTrue(() -> a.isLeader() || b.isLeader());
            assertThat(a.isLeader() && b.isLeader()).isFalse();
            LeaderElection leader = a.isLeader() ? a : b;
            LeaderElection other = leader == a ? b : a;
            leader.stop();
            awaitTrue(other::isLeader);
            assertThat(leader.isLeader()).isFalse();
        } finally {
            a.stop();
            b.stop();
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition) {
        for (int i = 0; i < 600 && !condition.getAsBoolean(); i++) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        assertThat(condition.getAsBoolean()).isTrue();
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

}

package io.conflux.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Finalizers: a DELETE waits for them, their removal completes it, and none may be added during deletion. */
class FinalizerSemanticsTest {
    static InMemoryKubernetes kube;
    static KubernetesClient client;

    @BeforeAll
    static void start() {
        kube = InMemoryKubernetes.start();
        client = kube.client();
        kube.installCrds(Path.of("..", "deploy", "crds"));
    }

    @AfterAll
    static void stop() {
        kube.close();
    }

    @Test
    @SuppressWarnings("try") // the watch is held open for the try, its events read from the queue
    void deletingAnObjectWithFinalizersMarksItAndRemovingTheLastFinalizerRemovesIt() throws Exception {
        client.resource(new ConfigMapBuilder().withNewMetadata().withNamespace("default").withName("kept")
            .addToFinalizers("example.com/cleanup").endMetadata().addToData("a", "1").build()).create();
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        try (Watch watch = client.configMaps().inNamespace("default").withName("kept").watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, ConfigMap cm) {
                if (action != Action.ADDED) { // the watch starts with the object as it is
                    events.add(action + " " + (cm.getMetadata().getDeletionTimestamp() != null));
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        })) {
            client.configMaps().inNamespace("default").withName("kept").delete();

            ConfigMap deleting = client.configMaps().inNamespace("default").withName("kept").get();
            assertThat(deleting).isNotNull();
            assertThat(deleting.getMetadata().getDeletionTimestamp()).isNotBlank();
            assertThat(deleting.getMetadata().getDeletionGracePeriodSeconds()).isZero();
            assertThat(deleting.getData()).containsEntry("a", "1");
            assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("MODIFIED true");

            // a second DELETE changes nothing
            client.configMaps().inNamespace("default").withName("kept").delete();
            assertThat(client.configMaps().inNamespace("default").withName("kept").get().getMetadata()
                .getDeletionTimestamp()).isEqualTo(deleting.getMetadata().getDeletionTimestamp());

            // the owner of the finalizer removes it: the object goes
            client.configMaps().inNamespace("default").withName("kept").patch(PatchContext.of(PatchType.JSON),
                "[{\"op\":\"test\",\"path\":\"/metadata/finalizers/0\",\"value\":\"example.com/cleanup\"},"
                    + "{\"op\":\"remove\",\"path\":\"/metadata/finalizers/0\"}]");
            assertThat(client.configMaps().inNamespace("default").withName("kept").get()).isNull();
            String next = events.poll(10, TimeUnit.SECONDS);
            while ("MODIFIED true".equals(next)) {
                next = events.poll(10, TimeUnit.SECONDS);
            }
            assertThat(next).startsWith("DELETED");
        }
    }

    @Test
    void noFinalizerMayBeAddedToAnObjectBeingDeletedAndItsDeletionTimestampStays() {
        GenericKubernetesResource k = client.genericKubernetesResources("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
            .inNamespace("default").resource(kustomization("apps")).create();
        client.resource(k).edit(o -> {
            o.getMetadata().setFinalizers(List.of("finalizers.fluxcd.io"));
            return o;
        });
        var apps = client.genericKubernetesResources("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
            .inNamespace("default").withName("apps");
        apps.delete();
        String deletionTimestamp = apps.get().getMetadata().getDeletionTimestamp();
        assertThat(deletionTimestamp).isNotBlank();

        assertThatThrownBy(() -> apps.patch(PatchContext.of(PatchType.JSON_MERGE),
            "{\"metadata\":{\"finalizers\":[\"finalizers.fluxcd.io\",\"example.com/late\"]}}"))
            .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                assertThat(e.getCode()).isEqualTo(422);
                assertThat(e.getMessage()).contains("no new finalizers can be added if the object is being deleted");
            });
        // a write that leaves out deletionTimestamp cannot clear it
        apps.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"deletionTimestamp\":null,\"labels\":{\"x\":\"y\"}}}");
        assertThat(apps.get().getMetadata().getDeletionTimestamp()).isEqualTo(deletionTimestamp);

        apps.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"finalizers\":null}}");
        assertThat(apps.get()).isNull();
    }

    @Test
    void anObjectWithoutFinalizersIsRemovedAtOnce() {
        client.resource(new ConfigMapBuilder().withNewMetadata().withNamespace("default").withName("plain").endMetadata()
            .build()).create();
        client.configMaps().inNamespace("default").withName("plain").delete();
        assertThat(client.configMaps().inNamespace("default").withName("plain").get()).isNull();
    }

    private static GenericKubernetesResource kustomization(String name) {
        GenericKubernetesResource k = new GenericKubernetesResource();
        k.setApiVersion("kustomize.toolkit.fluxcd.io/v1");
        k.setKind("Kustomization");
        k.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).withNamespace("default").build());
        k.setAdditionalProperty("spec", java.util.Map.of("interval", "10m", "path", "./", "prune", true,
            "sourceRef", java.util.Map.of("kind", "GitRepository", "name", "repo")));
        return k;
    }
}

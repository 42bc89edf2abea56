package io.conflux.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conflux.embedded.Authorizer;
import io.conflux.embedded.InMemoryKubernetes;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #13, "no silent stall": a watch the API server refuses (RBAC) or whose resource is gone (its CRD removed) is
 * reported as failed — by name, with the server's status code and message — and healthy again once the informer,
 * which keeps retrying, watches.
 */
class WatchesTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    static InMemoryKubernetes kube;

    @BeforeAll
    static void start() {
        kube = InMemoryKubernetes.start();
        kube.installCrds(Path.of("..", "deploy", "crds"));
    }

    @AfterAll
    static void stop() {
        kube.close();
    }

    @Test
    void aRefusedWatchIsFailedUntilItWatchesAgain() {
        AtomicBoolean refuse = new AtomicBoolean(true);
        kube.authorize(request -> !(refuse.get() && "kustomizations".equals(request.resource())));
        Watches watches = new Watches(3);
        SharedIndexInformer<GenericKubernetesResource> informer = watches.watch("Kustomization (v1)", kube.client()
                .genericKubernetesResources(new ResourceDefinitionContext.Builder().withGroup("kustomize.toolkit.fluxcd.io")
                        .withVersion("v1").withPlural("kustomizations").withKind("Kustomization").withNamespaced(true)
                        .build())
                .inAnyNamespace().runnableInformer(0));
        try {
            informer.start();
            until(() -> !watches.failed().isEmpty());
            Watches.Failed failed = watches.failed().get(0);
            assertThat(failed.name()).isEqualTo("Kustomization (v1)");
            assertThat(failed.reason()).startsWith("403 ").contains("kustomizations");
            assertThat(informer.isWatching()).isFalse();

            refuse.set(false);
            until(informer::isWatching);
            assertThat(watches.failed()).isEmpty();
            assertThat(watches.names()).containsExactly("Kustomization (v1)");
        } finally {
            kube.authorize(Authorizer.ALLOW_ALL);
            informer.close();
        }
    }

    @Test
    void aWatchWhoseCrdIsRemovedIsFailedUntilTheCrdIsBack() {
        String crd = """
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata: {name: widgets.example.conflux.io}
                spec:
                  group: example.conflux.io
                  scope: Namespaced
                  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
                  versions:
                    - name: v1
                      served: true
                      storage: true
                      schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
                """;
        kube.client().resource(crd).serverSideApply();
        Watches watches = new Watches(2);
        ResourceDefinitionContext widgets = new ResourceDefinitionContext.Builder().withGroup("example.conflux.io")
                .withVersion("v1").withPlural("widgets").withKind("Widget").withNamespaced(true).build();
        // the watch stream just ends, as kube-apiserver ends it, and fabric8 re-opens it by itself without telling
        // the informer: the probe (a list of one object) is what meets the 404
        SharedIndexInformer<GenericKubernetesResource> informer = watches.watch("Widget (v1)", kube.client()
                .genericKubernetesResources(widgets).inAnyNamespace().runnableInformer(0),
                () -> kube.client().genericKubernetesResources(widgets).inAnyNamespace()
                        .list(new io.fabric8.kubernetes.api.model.ListOptionsBuilder().withLimit(1L).build()));
        try {
            informer.start();
            until(informer::isWatching);
            assertThat(watches.failed()).isEmpty();

            // as when a bundle replaces the CRD by an older release's without this version: the path is gone
            kube.client().apiextensions().v1().customResourceDefinitions().withName("widgets.example.conflux.io").delete();
            until(() -> !watches.failed().isEmpty());
            Watches.Failed failed = watches.failed().get(0);
            assertThat(failed.name()).isEqualTo("Widget (v1)");
            assertThat(failed.reason()).startsWith("404 ");

            kube.client().resource(crd).serverSideApply();
            until(() -> informer.isWatching() && watches.failed().isEmpty());
        } finally {
            informer.close();
            kube.client().apiextensions().v1().customResourceDefinitions().withName("widgets.example.conflux.io").delete();
        }
    }

    @Test
    void onlyLastingFailuresCountAtOnce() {
        assertThat(Watches.lasting(new KubernetesClientException("gone", 404, null))).isTrue();
        assertThat(Watches.lasting(new KubernetesClientException("denied", 403, null))).isTrue();
        assertThat(Watches.lasting(new KubernetesClientException("busy", 503, null))).isFalse();
        assertThat(Watches.lasting(new java.net.ConnectException("refused"))).isFalse();
        assertThatThrownBy(() -> new Watches(0)).hasMessageContaining("conflux.watch.failures-before-unready");
    }

    private static void until(BooleanSupplier condition) {
        Instant end = Instant.now().plus(PATIENCE);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(end)) {
                throw new AssertionError("not within " + PATIENCE);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}

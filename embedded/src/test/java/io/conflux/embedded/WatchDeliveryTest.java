package io.conflux.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Watches of the in-memory API server deliver every committed change, as kube-apiserver's do: many Kustomizations
 * whose {@code status} several clients patch concurrently (JSON merge patches of {@code /status}, as Conflux's
 * {@code StatusPatcher} writes them), while an informer and a raw watch from a list's {@code resourceVersion} are
 * opened in the middle of the writes. Both must end at the state a list shows, and the raw watch must have received
 * every change committed after its {@code resourceVersion}, in {@code resourceVersion} order (kube-apiserver's watch
 * contract; client-go's and fabric8's informers rely on it).
 */
class WatchDeliveryTest {

    static final ResourceDefinitionContext KS = new ResourceDefinitionContext.Builder()
        .withGroup("kustomize.toolkit.fluxcd.io").withVersion("v1").withKind("Kustomization")
        .withPlural("kustomizations").withNamespaced(true).build();
    static final int WRITERS = 4;
    static final int ROUNDS = 4;
    /** How long the watches get to catch up once the writes are done: a bound, not a measured figure. */
    static final Duration CATCH_UP = Duration.ofSeconds(60);

    static InMemoryKubernetes kube;
    static final AtomicInteger RUN = new AtomicInteger();

    @BeforeAll
    static void start() {
        kube = InMemoryKubernetes.start();
        kube.installCrds(InMemoryKubernetesTest.CRDS);
    }

    @AfterAll
    static void stop() {
        kube.close();
    }

    /**
     * @param objects how many Kustomizations
     * @param entries inventory entries per status write (0: a small object; 1,200: ~78 KiB, more than one WebSocket
     *                frame of the server's 64 KiB, as the {@code flux-system} Kustomization's past ~800 children)
     * @param labels  the watches' label selector, or empty for none
     */
    @ParameterizedTest(name = "{0} objects, inventory of {1} entries, selector ''{2}''")
    @CsvSource({"120, 0, ''", "120, 0, app=podinfo", "4, 1200, ''"})
    void watchesOpenedDuringConcurrentStatusPatchesSeeEveryChange(int objects, int entries, String labels)
        throws Exception {
        String ns = "watch-" + RUN.incrementAndGet();
        KubernetesClient client = kube.client();
        client.resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
        for (int i = 0; i < objects; i++) {
            client.resource(kustomization(ns, "ks-" + i)).fieldManager("applier").forceConflicts().serverSideApply();
        }

        Map<String, List<Long>> committed = new ConcurrentHashMap<>();
        CountDownLatch firstRound = new CountDownLatch(WRITERS);
        ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
        List<KubernetesClient> clients = new ArrayList<>();
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            KubernetesClient writer = new KubernetesClientBuilder()
                .withConfig(InMemoryKubernetes.clientConfig(kube.url())).build();
            clients.add(writer);
            int first = w;
            done.add(writers.submit(() -> {
                for (int round = 0; round < ROUNDS; round++) {
                    for (int i = first; i < objects; i += WRITERS) {
                        String name = "ks-" + i;
                        GenericKubernetesResource patched = writer.genericKubernetesResources(KS).inNamespace(ns)
                            .withName(name).subresource("status")
                            .patch(PatchContext.of(PatchType.JSON_MERGE), status(round, entries));
                        committed.computeIfAbsent(name, k -> new CopyOnWriteArrayList<>())
                            .add(Long.parseLong(patched.getMetadata().getResourceVersion()));
                    }
                    if (round == 0) {
                        firstRound.countDown();
                    }
                }
                return null;
            }));
        }

        Map<String, List<Long>> watched = new ConcurrentHashMap<>();
        Map<String, Long> lastWatched = new ConcurrentHashMap<>();
        List<Long> order = new CopyOnWriteArrayList<>();
        SharedIndexInformer<GenericKubernetesResource> informer = null;
        Watch watch = null;
        try {
            firstRound.await(60, TimeUnit.SECONDS);
            // opened while the writers are between their first and last round
            var list = client.genericKubernetesResources(KS).inNamespace(ns).list();
            String listed = list.getMetadata().getResourceVersion();
            long from = Long.parseLong(listed);
            // the objects as listed, then each event applied: what an informer's cache holds
            lastWatched.putAll(versions(list.getItems()));
            watch = client.genericKubernetesResources(KS).inNamespace(ns)
                .watch(new ListOptionsBuilder().withResourceVersion(listed)
                    .withLabelSelector(labels.isEmpty() ? null : labels).build(), new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, GenericKubernetesResource resource) {
                        long rv = Long.parseLong(resource.getMetadata().getResourceVersion());
                        order.add(rv);
                        watched.computeIfAbsent(resource.getMetadata().getName(), k -> new CopyOnWriteArrayList<>())
                            .add(rv);
                        lastWatched.put(resource.getMetadata().getName(), rv);
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                    }
                });
            informer = labels.isEmpty() ? client.genericKubernetesResources(KS).inNamespace(ns).inform()
                : client.genericKubernetesResources(KS).inNamespace(ns).withLabelSelector(labels).inform();
            for (Future<?> writer : done) {
                writer.get(120, TimeUnit.SECONDS);
            }

            Map<String, Long> truth = versions(client.genericKubernetesResources(KS).inNamespace(ns).list()
                .getItems());
            SharedIndexInformer<GenericKubernetesResource> cache = informer;
            long deadline = System.nanoTime() + CATCH_UP.toNanos();
            while (System.nanoTime() < deadline
                && !(truth.equals(versions(cache.getStore().list())) && truth.equals(new TreeMap<>(lastWatched)))) {
                Thread.sleep(50);
            }
            assertThat(versions(informer.getStore().list())).as("the informer's objects' resourceVersions")
                .isEqualTo(truth);
            assertThat(new TreeMap<>(lastWatched)).as("the list's objects updated by the watch's events")
                .isEqualTo(truth);
            assertThat(order).as("the watch's events, from resourceVersion %d", from).isSorted()
                .allSatisfy(rv -> assertThat(rv).isGreaterThan(from));
            for (Map.Entry<String, List<Long>> e : committed.entrySet()) {
                List<Long> after = e.getValue().stream().filter(rv -> rv > from).sorted().toList();
                assertThat(watched.getOrDefault(e.getKey(), List.of())).as("the changes of %s", e.getKey())
                    .containsAll(after);
            }
        } finally {
            if (watch != null) {
                watch.close();
            }
            if (informer != null) {
                informer.close();
            }
            writers.shutdownNow();
            clients.forEach(KubernetesClient::close);
        }
    }

    static Map<String, Long> versions(List<GenericKubernetesResource> objects) {
        Map<String, Long> versions = new TreeMap<>();
        objects.forEach(o -> versions.put(o.getMetadata().getName(),
            Long.parseLong(o.getMetadata().getResourceVersion())));
        return versions;
    }

    static GenericKubernetesResource kustomization(String ns, String name) {
        return new GenericKubernetesResourceBuilder()
            .withApiVersion("kustomize.toolkit.fluxcd.io/v1").withKind("Kustomization")
            .withNewMetadata().withNamespace(ns).withName(name).addToLabels("app", "podinfo").endMetadata()
            .addToAdditionalProperties("spec", Map.of("interval", "60m", "prune", true, "path", "./apps/" + name,
                "sourceRef", Map.of("kind", "GitRepository", "name", "flux-system")))
            .build();
    }

    /** A status as the applier writes it at {@code round}: Ready flips, the revision moves on. */
    static String status(int round, int entries) {
        List<Map<String, String>> inventory = new ArrayList<>();
        for (int i = 0; i < entries; i++) {
            inventory.add(Map.of("id", "podinfo_object-" + i + "-of-round-" + round + "_apps_Deployment", "v", "v1"));
        }
        Map<String, Object> status = new TreeMap<>();
        status.put("observedGeneration", 1);
        status.put("lastAppliedRevision", "main@sha1:" + round);
        status.put("conditions", List.of(Map.of("type", "Ready", "status", round % 2 == 0 ? "Unknown" : "True",
            "reason", round % 2 == 0 ? "Progressing" : "ReconciliationSucceeded", "message", "round " + round,
            "lastTransitionTime", "2026-12-07T00:00:0" + round + "Z")));
        if (entries > 0) {
            status.put("inventory", Map.of("entries", inventory));
        }
        return Serialization.asJson(Map.of("status", status));
    }
}

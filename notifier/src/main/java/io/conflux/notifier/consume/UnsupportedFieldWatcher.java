package io.conflux.notifier.consume;

import io.conflux.model.topic.FluxEvent;
import io.conflux.notifier.dispatch.NotifierConfig;
import io.conflux.notifier.dispatch.UnsupportedFieldEvents;
import io.conflux.notifier.persist.UnsupportedFieldReports;
import io.conflux.service.Ownership;
import io.conflux.service.ReactiveRunner;
import io.conflux.service.Retrying;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * "Nothing ignored in silence" (issue #13): watches every Flux kind on the management cluster with a generic informer
 * and, for each object whose key this replica owns ({@link Ownership} of the {@code events} partitions), publishes one
 * {@code UnsupportedField} Warning event per object generation naming the spec fields Conflux does not act on
 * ({@link UnsupportedFieldEvents}), through the notifier's outbox onto {@code conflux.events} — so Alerts route it like
 * any event, and no second writer touches the objects' conditions. A kind whose CRD is not installed is skipped (logged).
 * Off when {@code conflux.notifier.report-unsupported-fields=false}.
 */
@ApplicationScoped
public class UnsupportedFieldWatcher {
    private static final Logger LOG = Logger.getLogger(UnsupportedFieldWatcher.class);

    /** The Flux kinds watched: kind, apiVersion (the version Conflux's CRDs store), plural. */
    static final List<List<String>> KINDS = List.of(
            List.of("Kustomization", "kustomize.toolkit.fluxcd.io/v1", "kustomizations"),
            List.of("HelmRelease", "helm.toolkit.fluxcd.io/v2", "helmreleases"),
            List.of("GitRepository", "source.toolkit.fluxcd.io/v1", "gitrepositories"),
            List.of("HelmRepository", "source.toolkit.fluxcd.io/v1", "helmrepositories"),
            List.of("HelmChart", "source.toolkit.fluxcd.io/v1", "helmcharts"),
            List.of("OCIRepository", "source.toolkit.fluxcd.io/v1", "ocirepositories"),
            List.of("Bucket", "source.toolkit.fluxcd.io/v1", "buckets"),
            List.of("ExternalArtifact", "source.toolkit.fluxcd.io/v1", "externalartifacts"),
            List.of("ArtifactGenerator", "source.extensions.fluxcd.io/v1beta1", "artifactgenerators"),
            List.of("Receiver", "notification.toolkit.fluxcd.io/v1", "receivers"),
            List.of("Provider", "notification.toolkit.fluxcd.io/v1beta3", "providers"),
            List.of("Alert", "notification.toolkit.fluxcd.io/v1beta3", "alerts"));

    @Inject
    KubernetesClient client;
    @Inject
    Ownership ownership;
    @Inject
    ReactiveRunner runner;
    @Inject
    Retrying retrying;
    @Inject
    UnsupportedFieldReports reports;
    @Inject
    NotifierConfig config;

    private final String instance = "conflux-notifier-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<SharedIndexInformer<GenericKubernetesResource>> informers = new ArrayList<>();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "conflux-unsupported-fields");
        t.setDaemon(true);
        return t;
    });

    void start(@Observes StartupEvent event) {
        if (!config.reportUnsupportedFields()) {
            LOG.info("unsupported-field reports are off (conflux.notifier.report-unsupported-fields=false)");
            return;
        }
        for (List<String> kind : KINDS) {
            String apiVersion = kind.get(1);
            String crd = kind.get(2) + "." + apiVersion.substring(0, apiVersion.indexOf('/'));
            try {
                if (client.apiextensions().v1().customResourceDefinitions().withName(crd).get() == null) {
                    LOG.infof("CRD %s is not installed: %s objects are not checked for unsupported fields", crd, kind.get(0));
                    continue;
                }
                SharedIndexInformer<GenericKubernetesResource> informer = client.genericKubernetesResources(apiVersion,
                        kind.get(0)).inAnyNamespace().runnableInformer(0);
                informer.addEventHandler(new Handler());
                informers.add(informer);
                informer.start().whenComplete((v, e) -> {
                    if (e != null) {
                        LOG.warnf("cannot watch %s for unsupported fields: %s", kind.get(0), e.getMessage());
                    }
                });
            } catch (KubernetesClientException e) {
                LOG.warnf("cannot watch %s for unsupported fields: %s", kind.get(0), e.getMessage());
            }
        }
        // called on the Kafka polling thread: only hand the work over
        ownership.onAssigned(newlyOwned -> worker.execute(() -> informers.forEach(i -> i.getStore().list().stream()
                .filter(o -> newlyOwned.test(key(o))).forEach(this::report))));
    }

    void stop(@Observes ShutdownEvent event) {
        informers.forEach(SharedIndexInformer::close);
        worker.shutdownNow();
    }

    private static String key(GenericKubernetesResource o) {
        return o.getKind() + "/" + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
    }

    private void report(GenericKubernetesResource object) {
        String key = key(object);
        if (!ownership.owns(key)) {
            return;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> tree = client.getKubernetesSerialization().convertValue(object, Map.class);
        Optional<FluxEvent> event = UnsupportedFieldEvents.of(tree, instance);
        if (event.isEmpty()) {
            return;
        }
        long generation = object.getMetadata().getGeneration() == null ? 0 : object.getMetadata().getGeneration();
        String uid = String.valueOf(object.getMetadata().getUid());
        retrying.untilDone(() -> runner.run(blocking -> reports.reportOnce(key, uid, generation, event.get())),
                        () -> ownership.owns(key))
                .subscribe().with(published -> {
                    if (Boolean.TRUE.equals(published)) {
                        LOG.infof("%s generation %d: %s", key, generation, event.get().message());
                    }
                }, failure -> LOG.warnf("cannot report the unsupported fields of %s: %s", key, failure.getMessage()));
    }

    private final class Handler implements ResourceEventHandler<GenericKubernetesResource> {
        @Override
        public void onAdd(GenericKubernetesResource object) {
            worker.execute(() -> report(object));
        }

        @Override
        public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource after) {
            worker.execute(() -> report(after));
        }

        @Override
        public void onDelete(GenericKubernetesResource object, boolean deletedFinalStateUnknown) {
            // nothing to report; the record stays, so a re-created object (new uid) is reported again
        }
    }
}

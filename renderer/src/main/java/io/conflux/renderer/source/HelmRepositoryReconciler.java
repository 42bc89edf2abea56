package io.conflux.renderer.source;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.model.meta.ObjectKey;
import io.conflux.service.FluxMetrics;
import io.conflux.service.LeaderElection;
import io.conflux.service.SecretReader;
import io.conflux.service.StatusPatcher;
import io.conflux.helm.HelmException;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.meta.GoDuration;
import io.conflux.model.source.HelmRepository;
import io.conflux.renderer.render.HelmReleaseRenderer;
import io.conflux.renderer.render.RendererConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * The HelmRepository part of Flux's source-controller: every {@code spec.interval} (and when the object is created or
 * its spec changes) the index of an HTTP HelmRepository is fetched and the outcome written to its status —
 * {@code Ready=True} reason {@code Succeeded}, message {@code stored artifact: revision 'sha256:…'}, and
 * {@code status.artifact.revision} = the index digest; or {@code Ready=False} reason {@code FetchFailed} with the
 * error naming the URL. A {@code reconcile.fluxcd.io/requestedAt} annotation ({@code flux reconcile source helm})
 * fetches the index now and is acknowledged in {@code status.lastHandledReconcileAt}, as source-controller does. The
 * charts themselves are fetched by the HelmReleases that use them. OCI HelmRepositories have no index and, as in Flux,
 * get no status but {@code lastHandledReconcileAt}. A suspended HelmRepository is left alone.
 *
 * <p>An index fetch has no owner by key: only the replica holding the renderer's {@code Lease}
 * ({@link LeaderElection}) fetches; the others look again each interval, so a new leader takes over.
 */
@ApplicationScoped
public class HelmRepositoryReconciler {
    private static final Logger LOG = Logger.getLogger(HelmRepositoryReconciler.class);
    /** source-controller's reasons. */
    static final String SUCCEEDED = "Succeeded";
    static final String FETCH_FAILED = "FetchFailed";
    /** Flux's default interval when an object sets none. */
    private static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(10);

    @Inject
    KubernetesClient client;
    @Inject
    RendererConfig config;
    @Inject
    SecretReader secrets;
    @Inject
    StatusPatcher status;
    @Inject
    LeaderElection leader;
    @Inject
    ObjectMapper json;
    @Inject
    FluxMetrics metrics;

    /** Whether this replica fetches indexes now: it holds the Lease ({@link LeaderElection#isLeader}). */
    BooleanSupplier leading;
    private HelmReleaseRenderer charts;
    private final Map<String, ScheduledFuture<?>> next = new ConcurrentHashMap<>();
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "conflux-helm-repositories");
        t.setDaemon(true);
        return t;
    });

    @PostConstruct
    void init() {
        charts = new HelmReleaseRenderer(config.renderer().chartsDir(), config.renderer().helmTimeout(), json);
        if (leading == null) {
            leading = leader::isLeader;
        }
    }

    @PreDestroy
    void close() {
        executor.shutdownNow();
    }

    /** A HelmRepository was created or its spec changed: fetch its index now, then every {@code spec.interval}. */
    public void onChange(HelmRepository repository) {
        schedule(repository, Duration.ZERO);
    }

    /** A HelmRepository was deleted: stop fetching it. */
    public void onDelete(HelmRepository repository) {
        if (metrics != null) {
            metrics.forget(objectKey(repository));
        }
        ScheduledFuture<?> f = next.remove(key(repository));
        if (f != null) {
            f.cancel(false);
        }
    }

    private void schedule(HelmRepository repository, Duration delay) {
        ScheduledFuture<?> f = executor.schedule(() -> reconcile(repository), delay.toMillis(), TimeUnit.MILLISECONDS);
        ScheduledFuture<?> previous = next.put(key(repository), f);
        if (previous != null) {
            previous.cancel(false);
        }
    }

    private void reconcile(HelmRepository seen) {
        long started = System.nanoTime();
        try {
            reconcileOnce(seen);
        } finally {
            if (metrics != null && seen.getSpec() != null && leading != null && leading.getAsBoolean()) {
                // Flux's gotk_* series of the HelmRepository, on the replica that fetches its index
                metrics.recordSuspend(objectKey(seen), Boolean.TRUE.equals(seen.getSpec().suspend()));
                metrics.recordDuration(objectKey(seen), Duration.ofNanos(System.nanoTime() - started));
            }
        }
    }

    private static ObjectKey objectKey(HelmRepository r) {
        return new ObjectKey("HelmRepository", r.getMetadata().getNamespace(), r.getMetadata().getName());
    }

    private void reconcileOnce(HelmRepository seen) {
        var resource = client.resources(HelmRepository.class).inNamespace(seen.getMetadata().getNamespace())
                .withName(seen.getMetadata().getName());
        HelmRepository repository;
        try {
            repository = resource.get();
        } catch (KubernetesClientException e) {
            LOG.warnf("HelmRepository %s not read: %s", key(seen), e.getMessage());
            schedule(seen, Duration.ofSeconds(30));
            return;
        }
        if (repository == null || Boolean.TRUE.equals(repository.getSpec().suspend())) {
            return;
        }
        Duration interval = GoDuration.parseOr(repository.getSpec().interval(), DEFAULT_INTERVAL);
        if (!leading.getAsBoolean()) {
            // look again within a lease duration: this replica may lead by then
            LOG.debugf("HelmRepository %s: not the leader, not fetching its index", key(repository));
            Duration leaseDuration = leader == null ? interval : leader.leaseDuration();
            schedule(repository, interval.compareTo(leaseDuration) < 0 ? interval : leaseDuration);
            return;
        }
        String requestedAt = repository.getMetadata().getAnnotations() == null ? null
                : repository.getMetadata().getAnnotations().get(Kustomization.REQUESTED_AT_ANNOTATION);
        if (HelmReleaseRenderer.isOci(repository)) {
            if (requestedAt != null) {
                writeStatus(repository, Map.of("lastHandledReconcileAt", requestedAt));
            }
            return;
        }
        long generation = repository.getMetadata().getGeneration() == null ? 0 : repository.getMetadata().getGeneration();
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("observedGeneration", generation);
        if (requestedAt != null) {
            status.put("lastHandledReconcileAt", requestedAt);
        }
        Condition ready;
        try {
            String revision = charts.indexRevision(repository, (ns, name) -> secrets.secretData(ns, name).orElse(null));
            ready = Conditions.ready(true, generation, SUCCEEDED, "stored artifact: revision '" + revision + "'");
            Map<String, Object> artifact = new LinkedHashMap<>();
            artifact.put("revision", revision);
            artifact.put("digest", revision);
            artifact.put("lastUpdateTime", Conditions.now());
            artifact.put("url", repository.getSpec().url());
            // source-controller's path of an index artifact: helmrepository/<ns>/<name>/index-<digest hex>.yaml
            artifact.put("path", "helmrepository/" + repository.getMetadata().getNamespace() + "/"
                    + repository.getMetadata().getName() + "/index-" + revision.substring(revision.indexOf(':') + 1)
                    + ".yaml");
            status.put("artifact", artifact);
        } catch (HelmException | IllegalArgumentException e) {
            ready = Conditions.ready(false, generation, FETCH_FAILED, e.getMessage());
        }
        List<Condition> previous = repository.getStatus() == null ? null : repository.getStatus().conditions();
        Condition before = Conditions.find(previous, Condition.READY).orElse(null);
        status.put("conditions", Conditions.set(previous, ready));
        if (writeStatus(repository, status) && (before == null || !Objects.equals(before.status(), ready.status())
                || !Objects.equals(before.message(), ready.message()))) {
            LOG.infof("HelmRepository %s: Ready=%s %s", key(repository), ready.status(), ready.message());
        }
        schedule(repository, interval);
    }

    /** Merge-patches {@code status} into the HelmRepository's status; a failure is logged. @return whether written */
    private boolean writeStatus(HelmRepository repository, Map<String, Object> fields) {
        try {
            return status.patch(new ObjectKey("HelmRepository", repository.getMetadata().getNamespace(),
                    repository.getMetadata().getName()), fields);
        } catch (KubernetesClientException e) {
            LOG.warnf("status of HelmRepository %s not written: %s", key(repository), e.getMessage());
            return false;
        }
    }

    private static String key(HelmRepository r) {
        return r.getMetadata().getNamespace() + "/" + r.getMetadata().getName();
    }
}

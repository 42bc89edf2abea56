package io.conflux.applier.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.applier.reconcile.ApplierConfig;
import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.meta.FluxKinds;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.meta.StallAudit;
import io.conflux.service.Ownership;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The periodic no-silent-stall audit (issue #13): every {@code conflux.applier.stall-audit.period} it reads every Flux
 * object of the kinds Conflux serves (sources, ArtifactGenerators, ExternalArtifacts, Kustomizations, HelmReleases,
 * Receivers; kinds whose CRD is not installed are left out) — Kustomizations and HelmReleases from the applier's
 * informer caches ({@link CachedFluxObjects}) once synced, the other kinds by a list ({@link AuditedObjects}) — decides
 * with {@link StallAudit} which sit past {@code spec.interval} + {@code spec.timeout} +
 * {@code conflux.applier.stall-audit.grace} without a status for their generation, and writes on each a
 * {@code Ready=False} condition naming what it waits for (merge patch of the {@code status} subresource carrying the
 * {@code resourceVersion} read, so a status a service writes meanwhile wins: the 409 is left for the next round; a
 * cache a little behind the API server costs the same 409). A stall already reported is not written again.
 *
 * <p>One replica audits each object: the applier replica that owns its key ({@link Ownership}, the Kafka partition
 * of {@code conflux.render-results}) — the same split as the reconciles, without a Lease of its own. A failed round
 * (API server unreachable) is logged and the next round runs as usual.
 */
@ApplicationScoped
public class StallAuditor {
    private static final Logger LOG = Logger.getLogger(StallAuditor.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The kinds audited: every Flux kind with a status, at the version Conflux reads it. */
    static final List<ResourceDefinitionContext> KINDS = FluxKinds.WITH_STATUS;

    @Inject
    KubernetesClient client;
    @Inject
    Ownership ownership;
    @Inject
    CachedFluxObjects watcher;

    @Inject
    ApplierConfig config;

    private ScheduledExecutorService timer;

    void start(@Observes StartupEvent event) {
        Duration period = config.stallAuditPeriod();
        if (period.isZero() || period.isNegative()) {
            LOG.warn("conflux.applier.stall-audit.period is 0: the no-silent-stall audit is off");
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "conflux-stall-audit");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::runSafely, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    private void runSafely() {
        try {
            audit(Instant.now());
        } catch (RuntimeException e) {
            LOG.warnf("stall audit round failed, trying again in %s: %s", config.stallAuditPeriod(), e.getMessage());
        }
    }

    /**
     * One round: reads every audited kind (cached or listed), writes the {@code Ready} condition of each owned stall
     * not yet reported.
     *
     * @param now the time the decision is made for
     * @return the stalls found among the owned objects (reported or written now)
     */
    public List<StallAudit.Stall> audit(Instant now) {
        Map<ObjectKey, JsonNode> objects = AuditedObjects.read(KINDS, watcher::cached,
                kind -> client.genericKubernetesResources(kind).inAnyNamespace().list().getItems());
        Map<ObjectKey, JsonNode> view = new HashMap<>(objects);
        List<StallAudit.Stall> out = new ArrayList<>();
        for (Map.Entry<ObjectKey, JsonNode> e : objects.entrySet()) {
            if (!ownership.owns(e.getKey())) {
                continue;
            }
            Optional<StallAudit.Stall> stall = StallAudit.of(e.getValue(), k -> Optional.ofNullable(view.get(k)), now, config.stallAuditGrace());
            if (stall.isEmpty()) {
                continue;
            }
            out.add(stall.get());
            if (!stall.get().reported()) {
                write(e.getValue(), stall.get());
            }
        }
        return out;
    }

    private void write(JsonNode object, StallAudit.Stall stall) {
        ResourceDefinitionContext kind = KINDS.stream().filter(k -> k.getKind().equals(stall.key().kind())).findFirst()
                .orElseThrow();
        List<Condition> conditions = new ArrayList<>();
        for (JsonNode c : object.at("/status/conditions")) {
            conditions.add(JSON.convertValue(c, Condition.class));
        }
        Map<String, Object> patch = Map.of(
                "metadata", Map.of("resourceVersion", object.at("/metadata/resourceVersion").asText()),
                "status", Map.of("conditions", Conditions.set(conditions, stall.condition())));
        try {
            client.genericKubernetesResources(kind).inNamespace(stall.key().namespace()).withName(stall.key().name())
                    .subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), JSON.writeValueAsString(patch));
            LOG.warnf("%s: Ready=False %s: %s", stall.key(), stall.reason(), stall.message());
        } catch (KubernetesClientException e) {
            // 409: a service wrote the status meanwhile (it wins); 404: gone; otherwise the next round tries again
            LOG.debugf("%s: stall not written (%d): %s", stall.key(), e.getCode(), e.getMessage());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

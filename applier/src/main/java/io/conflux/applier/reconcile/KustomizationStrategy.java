package io.conflux.applier.reconcile;

import io.conflux.applier.apply.ApplyResult;
import io.conflux.applier.apply.HealthCheckExprs;
import io.conflux.applier.apply.HealthChecker;
import io.conflux.applier.cel.CelExpressionException;
import io.conflux.applier.apply.InventoryEntry;
import io.conflux.applier.apply.ToolkitObjects;
import io.conflux.applier.persist.BundleReader;
import io.conflux.applier.persist.DesiredState;
import io.conflux.applier.persist.StoredState;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.CrossNamespaceObjectReference;
import io.conflux.model.meta.FluxReasons;
import io.conflux.model.meta.GoDuration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Kustomization's act step, kustomize-controller's {@code apply} and {@code checkHealth}: the bundle is applied in
 * stages (CRDs and Namespaces first) and pruned with {@code spec.prune} on the target cluster as
 * {@code spec.serviceAccountName}; then {@code spec.wait} (every applied object) and {@code spec.healthChecks}
 * ({@code name: '*'} for every object of the kind in the namespace) are awaited until Current — by kstatus, or by
 * {@code spec.healthCheckExprs} for the group and kind they name ({@link HealthCheckExprs}). {@code spec.timeout}
 * (default: the interval) bounds the stages and the health checks together; a timeout is {@code HealthCheckFailed}.
 * On the management cluster, the toolkit CRDs Conflux serves and Flux's controller Deployments are left out of the
 * apply, the inventory and the prune ({@link ToolkitObjects}), reported by {@link SkippedObjectsReport}.
 */
@ApplicationScoped
public final class KustomizationStrategy implements ReconcileStrategy<Reconcilable.OfKustomization> {
    @Inject
    BundleReader bundles;
    @Inject
    BundleApplier applier;
    @Inject
    ApplierConfig config;

    @Override
    public Uni<Attempt> act(Reconcilable.OfKustomization r, StoredState stored, Run run) {
        DesiredState desired = stored.desired();
        return Panache.withSession(() -> bundles.content(desired.bundleDigest))
                .chain(content -> run.blocking().call(() -> apply(r, content, Records.previous(r, stored.inventory()))))
                .map(outcome -> SkippedObjectsReport.report(AppliedAttempt.of(r, desired, stored.inventory(),
                        outcome.result(), FluxReasons.RECONCILIATION_SUCCEEDED, run.periodic(), run.took(),
                        config.reportingController()), r, outcome.skipped(), desired.sourceRevision,
                        config.reportingController()));
    }

    /** What an apply came to, and the bundle's objects {@link ToolkitObjects} kept out of it. */
    private record Outcome(ApplyResult result, List<ToolkitObjects.Skipped> skipped) {
    }

    private Outcome apply(Reconcilable.OfKustomization r, String content, List<InventoryEntry> previous) {
        Instant deadline = Instant.now().plus(applier.timeout(r));
        List<Map<String, Object>> bundle = applier.parse(content);
        List<ToolkitObjects.Skipped> skipped = new ArrayList<>();
        try {
            ApplyResult result = applier.onTarget(r, target -> {
                ToolkitObjects.Selection selection = applier.selectToolkitObjects(r, target, bundle);
                skipped.addAll(selection.skipped());
                List<Map<String, Object>> objects = selection.apply();
                ApplyResult applied = applier.apply(r, target, objects, selection.keep(previous), true, deadline);
                if (!applied.succeeded()) {
                    return applied;
                }
                try {
                    return checkHealth(r, target, applied, deadline);
                } catch (KubernetesClientException e) {
                    return applied.failedWith(FluxReasons.HEALTH_CHECK_FAILED, "health check failed: " + message(e));
                }
            });
            return new Outcome(result, skipped);
        } catch (IllegalStateException | KubernetesClientException e) {
            return new Outcome(ApplyResult.of(List.of(), previous, e.getMessage()), skipped);
        }
    }

    private ApplyResult checkHealth(Reconcilable.OfKustomization r, KubernetesClient target, ApplyResult applied,
                                    Instant deadline) {
        Kustomization k = r.object();
        boolean waitAll = Boolean.TRUE.equals(k.getSpec().waitForResources());
        List<CrossNamespaceObjectReference> checks = k.getSpec().healthChecks() == null ? List.of() : k.getSpec().healthChecks();
        if (!waitAll && checks.isEmpty()) {
            return applied;
        }
        List<InventoryEntry> objects = new ArrayList<>(waitAll ? applied.inventory() : List.of());
        for (CrossNamespaceObjectReference c : checks) {
            String namespace = c.namespaceOr(r.key().namespace());
            if ("*".equals(c.name())) {
                var kind = target.genericKubernetesResources(c.apiVersion(), c.kind());
                for (var item : kind.inNamespace(namespace).list().getItems()) {
                    objects.add(InventoryEntry.of(c.apiVersion(), c.kind(), namespace, item.getMetadata().getName()));
                }
            } else {
                objects.add(InventoryEntry.of(c.apiVersion(), c.kind(), namespace, c.name()));
            }
        }
        HealthCheckExprs exprs;
        try {
            exprs = HealthCheckExprs.of(k.getSpec().healthCheckExprs());
        } catch (CelExpressionException e) {
            return applied.failedWith(FluxReasons.INVALID_CEL_EXPRESSION, e.getMessage());
        }
        Duration timeout = applier.timeout(r);
        return new HealthChecker(target, config.healthPollInterval(), exprs).await(objects, BundleApplier.remaining(deadline))
                .map(message -> applied.failedWith(FluxReasons.HEALTH_CHECK_FAILED, "health check failed after "
                        + GoDuration.format(timeout) + ": " + message))
                .orElse(applied);
    }

    private static String message(KubernetesClientException e) {
        return e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                : Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName());
    }
}

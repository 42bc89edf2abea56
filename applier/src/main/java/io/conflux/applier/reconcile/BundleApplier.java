package io.conflux.applier.reconcile;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.applier.apply.ApplyOptions;
import io.conflux.applier.apply.ApplyResult;
import io.conflux.applier.apply.CrdPolicy;
import io.conflux.applier.apply.InventoryEntry;
import io.conflux.applier.apply.ObjectApplier;
import io.conflux.applier.apply.TargetClusters;
import io.conflux.applier.apply.TerminationWait;
import io.conflux.applier.apply.ToolkitObjects;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.conflux.model.helm.ReleaseBundle;
import io.conflux.model.meta.GoDuration;
import io.conflux.service.SecretReader;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Applies and prunes bundles on an object's target cluster (the management cluster, or {@code spec.kubeConfig}'s, read
 * through {@link SecretReader}) as its service account ({@link TargetClusters}), for both strategies and for finalization. Blocking: call on a worker
 * thread, outside any database session.
 */
@ApplicationScoped
public class BundleApplier {
    @Inject
    KubernetesClient client;
    @Inject
    ApplierConfig config;
    @Inject
    ObjectMapper json;
    @Inject
    SecretReader secrets;

    private TargetClusters targets;

    @PostConstruct
    void init() {
        targets = new TargetClusters(client, secrets, config.defaultServiceAccount(), config.insecureKubeconfigExec());
    }

    @PreDestroy
    void close() {
        targets.close();
    }

    /**
     * Runs {@code work} with a client of {@code r}'s target cluster, held for the whole of it.
     *
     * @return what {@code work} returned
     * @throws IllegalStateException     when the kubeconfig Secret is missing or refused (message names Secret and field)
     * @throws KubernetesClientException when the target cluster refuses a request
     */
    <T> T onTarget(Reconcilable r, Function<KubernetesClient, T> work) {
        try (TargetClusters.Lease lease = targets.forObject(r.key().namespace(), r.kubeConfig(), r.serviceAccountName())) {
            return work.apply(lease.client());
        }
    }

    /**
     * Applies {@code objects} on {@code target}, pruning what left {@code previous} when {@code r} prunes.
     *
     * @param staged   whether CRDs and Namespaces are applied and awaited first (kustomize-controller's stages)
     * @param deadline the end of {@code spec.timeout}
     * @return the outcome; never throws for a refused request (a failed result naming it)
     */
    ApplyResult apply(Reconcilable r, KubernetesClient target, List<Map<String, Object>> objects,
                      List<InventoryEntry> previous, boolean staged, Instant deadline) {
        try {
            return applier(target).apply(objects, r.ownerLabels(), previous,
                    new ApplyOptions(r.prune(), r.force(), remaining(deadline), staged, config.healthPollInterval()));
        } catch (IllegalStateException | KubernetesClientException e) {
            return ApplyResult.of(List.of(), previous, e.getMessage());
        }
    }

    /**
     * Leaves out of {@code objects} what Conflux plays itself ({@link ToolkitObjects}): on the management cluster
     * ({@code r} sets no {@code spec.kubeConfig}), the toolkit CRDs it already has and Flux's controller Deployments.
     * A remote target cluster is not Conflux's, so there everything is applied as Flux would.
     *
     * @param target the management cluster's client when {@code r} has no kubeConfig
     * @return the selection; reads the named CRDs from {@code target}
     * @throws KubernetesClientException when the CRDs cannot be read
     */
    ToolkitObjects.Selection selectToolkitObjects(Reconcilable r, KubernetesClient target,
                                                  List<Map<String, Object>> objects) {
        if (r.kubeConfig() != null) {
            return ToolkitObjects.Selection.all(objects);
        }
        Map<String, ToolkitObjects.ServedCrd> served = new java.util.HashMap<>();
        for (String name : ToolkitObjects.toolkitCrdNames(objects)) {
            CustomResourceDefinition crd = target.apiextensions().v1().customResourceDefinitions().withName(name).get();
            if (crd != null) {
                served.put(name, new ToolkitObjects.ServedCrd(
                        crd.getSpec().getVersions().stream().filter(v -> Boolean.TRUE.equals(v.getServed()))
                                .map(CustomResourceDefinitionVersion::getName).toList(),
                        crd.getSpec().getVersions().stream().filter(v -> Boolean.TRUE.equals(v.getStorage()))
                                .map(CustomResourceDefinitionVersion::getName).findFirst().orElse("")));
            }
        }
        return ToolkitObjects.select(objects, served);
    }

    /**
     * Deletes {@code owned} from {@code r}'s target cluster as its service account (objects that no longer carry
     * {@code r}'s owner labels are left alone, like every prune). A HelmRelease's uninstall follows Helm: its
     * CustomResourceDefinitions and objects annotated {@code helm.sh/resource-policy: keep} are left in place
     * (reported {@code skipped}).
     *
     * @return the outcome; a refused request or an unusable kubeconfig is a failed result naming it
     */
    ApplyResult prune(Reconcilable r, List<InventoryEntry> owned) {
        ApplyOptions options = r instanceof Reconcilable.OfHelmRelease
                ? ApplyOptions.helm(true, false, Duration.ZERO, CrdPolicy.SKIP) : new ApplyOptions(true, false, Duration.ZERO);
        try {
            return onTarget(r, target -> applier(target).apply(List.of(), r.ownerLabels(), owned, options));
        } catch (IllegalStateException | KubernetesClientException e) {
            return ApplyResult.of(List.of(), owned, e.getMessage());
        }
    }

    /**
     * Waits, up to {@code r}'s {@code spec.timeout}, until {@code deleted} are gone from {@code r}'s target cluster
     * (the {@code WaitForTermination} deletion policy), polling every {@code conflux.applier.health-poll-interval}.
     *
     * @return empty once they are gone, else what is still there at the timeout; a refused read or an unusable
     *         kubeconfig is a message naming it
     */
    Optional<String> awaitTermination(Reconcilable r, List<InventoryEntry> deleted) {
        if (deleted.isEmpty()) {
            return Optional.empty();
        }
        try {
            return onTarget(r, target -> new TerminationWait(target, config.healthPollInterval()).await(deleted, timeout(r)));
        } catch (IllegalStateException | KubernetesClientException e) {
            return Optional.of("waiting for termination failed: " + e.getMessage());
        }
    }

    /** @return an applier of {@code target} with the configured field manager */
    ObjectApplier applier(KubernetesClient target) {
        return new ObjectApplier(target, config.fieldManager());
    }

    /** @return {@code spec.timeout}, defaulting to the interval (kustomize-controller's) */
    Duration timeout(Reconcilable r) {
        return GoDuration.parseOr(r.timeout(), GoDuration.parseOr(r.interval(), Records.DEFAULT_INTERVAL));
    }

    /** @return the time left until {@code deadline}, zero once it has passed */
    static Duration remaining(Instant deadline) {
        Duration left = Duration.between(Instant.now(), deadline);
        return left.isNegative() ? Duration.ZERO : left;
    }

    /**
     * @param content a bundle: a JSON array of objects, or a HelmRelease's {@link ReleaseBundle} object
     * @return its objects (a HelmRelease's hooks left out)
     * @throws UncheckedIOException when it is neither
     */
    List<Map<String, Object>> parse(String content) {
        return bundle(content).objects();
    }

    /**
     * @param content a bundle of either shape ({@link ReleaseBundle#parse})
     * @return the bundle
     * @throws UncheckedIOException when it is neither shape
     */
    ReleaseBundle bundle(String content) {
        return ReleaseBundle.parse(json, content);
    }
}

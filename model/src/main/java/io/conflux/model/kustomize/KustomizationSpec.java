package io.conflux.model.kustomize;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.conflux.model.meta.CrossNamespaceObjectReference;
import io.conflux.model.meta.DependencyReference;
import java.util.List;
import java.util.Map;

/**
 * {@code Kustomization.spec}, Flux {@code kustomize.toolkit.fluxcd.io/v1}; see Flux's kustomize-controller
 * API docs for each field. Durations are Go duration strings ({@code 10m}, {@code 1h0m0s}).
 * {@code wait} is {@link #waitForResources()} (a record cannot have a component named {@code wait}).
 * {@code patchesStrategicMerge} and {@code patchesJson6902} are the v1beta2 fields still found in repositories.
 * {@code healthCheckExprs} (CEL health checks of custom resources, by group and kind) and {@code deletionPolicy}
 * ({@code MirrorPrune} when unset: see {@link #deletionPolicyOrDefault()}) are Flux 2.5+ fields.
 * {@code ignoreMissingComponents} (Flux 2.6+): {@code components} whose directory is missing from the source are left
 * out instead of failing the build.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record KustomizationSpec(
        CrossNamespaceObjectReference sourceRef,
        String path,
        String interval,
        String retryInterval,
        String timeout,
        Boolean prune,
        @JsonProperty("wait") Boolean waitForResources,
        Boolean force,
        Boolean suspend,
        List<DependencyReference> dependsOn,
        String targetNamespace,
        String namePrefix,
        String nameSuffix,
        List<Patch> patches,
        List<Object> patchesStrategicMerge,
        List<Map<String, Object>> patchesJson6902,
        List<Image> images,
        List<String> components,
        CommonMetadata commonMetadata,
        PostBuild postBuild,
        List<CrossNamespaceObjectReference> healthChecks,
        KubeConfigReference kubeConfig,
        String serviceAccountName,
        Map<String, Object> decryption,
        List<CustomHealthCheck> healthCheckExprs,
        String deletionPolicy,
        Boolean ignoreMissingComponents) {

    /** {@code spec.deletionPolicy}: delete the inventory iff {@code spec.prune} (the default). */
    public static final String MIRROR_PRUNE = "MirrorPrune";
    /** {@code spec.deletionPolicy}: always delete the inventory. */
    public static final String DELETE = "Delete";
    /** {@code spec.deletionPolicy}: delete the inventory and wait (up to {@code spec.timeout}) until it is gone. */
    public static final String WAIT_FOR_TERMINATION = "WaitForTermination";
    /** {@code spec.deletionPolicy}: never delete the inventory. */
    public static final String ORPHAN = "Orphan";

    /** @return whether reconciliation is suspended */
    public boolean suspended() {
        return Boolean.TRUE.equals(suspend);
    }

    /** @return whether {@code components} missing from the source are left out ({@code spec.ignoreMissingComponents}) */
    public boolean ignoresMissingComponents() {
        return Boolean.TRUE.equals(ignoreMissingComponents);
    }

    /** @return whether objects that left the bundle are deleted */
    public boolean pruneEnabled() {
        return Boolean.TRUE.equals(prune);
    }

    /**
     * @return {@code spec.deletionPolicy}, {@link #MIRROR_PRUNE} when unset or empty (kustomize-controller's
     *         {@code GetDeletionPolicy}); any other string is returned as written (Flux's CRD allows only the four
     *         constants of this record)
     */
    public String deletionPolicyOrDefault() {
        return deletionPolicy == null || deletionPolicy.isEmpty() ? MIRROR_PRUNE : deletionPolicy;
    }
}

package io.conflux.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.conflux.model.helm.HelmRelease;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.HelmRepository;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * The Flux kinds {@code conflux reconcile|suspend|resume} act on, with what {@code flux reconcile} prints once one of
 * them is reconciled. Objects are read untyped ({@link #read}) so that status fields the model records leave out
 * (e.g. a GitRepository's {@code status.lastHandledReconcileAt}) are still visible.
 */
enum FluxObjectKind {
    /** {@code kustomize.toolkit.fluxcd.io/v1 Kustomization}; success is {@code applied revision <lastAppliedRevision>}. */
    KUSTOMIZATION(Kustomization.class, "applied revision", "/status/lastAppliedRevision"),
    /**
     * {@code helm.toolkit.fluxcd.io/v2 HelmRelease}; success is {@code applied revision <history[0].chartVersion>}, or
     * {@code <lastAttemptedRevision>} without history, as flux's {@code getHelmReleaseRevision} (v2 has no
     * {@code lastAppliedRevision}).
     */
    HELM_RELEASE(HelmRelease.class, "applied revision", "/status/history/0/chartVersion", "/status/lastAttemptedRevision"),
    /** {@code source.toolkit.fluxcd.io/v1 GitRepository}; success is {@code fetched revision <artifact.revision>}. */
    GIT_REPOSITORY(GitRepository.class, "fetched revision", "/status/artifact/revision"),
    /** {@code source.toolkit.fluxcd.io/v1 HelmRepository}; success is {@code fetched revision <artifact.revision>}. */
    HELM_REPOSITORY(HelmRepository.class, "fetched revision", "/status/artifact/revision");

    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    private final Class<? extends CustomResource<?, ?>> type;
    private final String successVerb;
    private final String[] revisionPointers;

    /** @param revisionPointers JSON pointers to the revision, the first one present wins */
    FluxObjectKind(Class<? extends CustomResource<?, ?>> type, String successVerb, String... revisionPointers) {
        this.type = type;
        this.successVerb = successVerb;
        this.revisionPointers = revisionPointers;
    }

    /** @return the Kubernetes kind, e.g. {@code Kustomization} */
    String kind() {
        return HasMetadata.getKind(type);
    }

    /** @return the object {@code namespace/name} of this kind, untyped */
    Resource<GenericKubernetesResource> resource(KubernetesClient client, String namespace, String name) {
        return client.genericKubernetesResources(ResourceDefinitionContext.fromResourceType(type))
                .inNamespace(namespace).withName(name);
    }

    /**
     * @return the object as a JSON tree, or null when it does not exist
     * @throws io.fabric8.kubernetes.client.KubernetesClientException when the API server cannot be read
     */
    JsonNode read(KubernetesClient client, String namespace, String name) {
        GenericKubernetesResource object = resource(client, namespace, name).get();
        return object == null ? null : JSON.convertValue(object, JsonNode.class);
    }

    /**
     * @param object the object as read after its reconciliation
     * @return what {@code flux reconcile} prints last, e.g. {@code applied revision main@sha1:<sha>}
     */
    String successMessage(JsonNode object) {
        for (String pointer : revisionPointers) {
            JsonNode revision = object.at(pointer);
            if (!revision.isMissingNode() && !revision.isNull()) {
                return successVerb + " " + revision.asText("");
            }
        }
        return successVerb + " ";
    }
}

package io.conflux.model.kustomize;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.conflux.model.meta.LocalObjectReference;
import io.conflux.model.meta.SecretKeyReference;

/**
 * {@code spec.kubeConfig} of a Kustomization or HelmRelease: a Secret holding the kubeconfig of a remote target cluster
 * (key {@code value} or {@code value.yaml}), or — Flux 2.6+ — {@code configMapRef}, a ConfigMap describing a cluster
 * reached with workload identity ({@code provider}, {@code cluster}, {@code address}, {@code serviceAccountName}, …),
 * which Conflux does not implement and refuses (never the management cluster instead).
 *
 * @param secretRef    the kubeconfig Secret, or null
 * @param configMapRef Flux's workload-identity ConfigMap reference, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record KubeConfigReference(SecretKeyReference secretRef, LocalObjectReference configMapRef) {

    /** A Secret reference only. */
    public KubeConfigReference(SecretKeyReference secretRef) {
        this(secretRef, null);
    }
}

package io.conflux.model.kustomize;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.conflux.model.meta.SecretKeyReference;

/** {@code spec.kubeConfig}: a Secret holding the kubeconfig of a remote target cluster (key {@code value} or {@code value.yaml}). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record KubeConfigReference(SecretKeyReference secretRef) {
}

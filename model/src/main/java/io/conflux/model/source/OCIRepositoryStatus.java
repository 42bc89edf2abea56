package io.conflux.model.source;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.conflux.model.meta.Condition;
import java.util.List;

/**
 * {@code OCIRepository.status} as source-controller writes it.
 *
 * @param observedGeneration     the generation last reconciled
 * @param conditions             {@code Ready}, {@code FetchFailed}, …
 * @param artifact               the last stored artifact ({@code revision} {@code <tag>@sha256:…}, {@code digest} of
 *                               the stored tarball, {@code metadata} the manifest's annotations)
 * @param url                    the URL the artifact was pulled from ({@code oci://…})
 * @param observedIgnore         {@code spec.ignore} the artifact was built with
 * @param observedLayerSelector  {@code spec.layerSelector} the artifact was built with
 * @param lastHandledReconcileAt the {@code reconcile.fluxcd.io/requestedAt} value last handled
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record OCIRepositoryStatus(Long observedGeneration, List<Condition> conditions, Artifact artifact, String url,
                                  String observedIgnore, OCILayerSelector observedLayerSelector,
                                  String lastHandledReconcileAt) {
}

package io.conflux.model.kustomize;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.conflux.model.meta.Condition;
import java.util.List;

/**
 * {@code Kustomization.status}, as kustomize-controller writes it.
 *
 * @param lastAppliedRevision   source revision last applied successfully, e.g. {@code main@sha1:...}
 * @param lastAttemptedRevision source revision of the last attempt, successful or not
 * @param lastHandledReconcileAt value of the {@code reconcile.fluxcd.io/requestedAt} annotation last handled
 * @param inventory             objects applied by the last successful reconciliation
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record KustomizationStatus(Long observedGeneration, List<Condition> conditions, String lastAppliedRevision,
                                  String lastAttemptedRevision, String lastHandledReconcileAt,
                                  ResourceInventory inventory) {
}

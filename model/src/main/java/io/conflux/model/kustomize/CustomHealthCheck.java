package io.conflux.model.kustomize;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An entry of {@code Kustomization.spec.healthCheckExprs} (fluxcd/pkg {@code apis/kustomize.CustomHealthCheck}): CEL
 * expressions that decide the health of the objects of one group and kind instead of kstatus. Each expression sees
 * the object's top-level fields ({@code apiVersion}, {@code kind}, {@code metadata}, {@code spec}, {@code status}, …)
 * as variables and must yield a bool.
 *
 * @param apiVersion the objects' {@code group/version}; only the group is matched (as Flux's
 *                   {@code schema.FromAPIVersionAndKind(...).GroupKind()}), so the entry holds for every version
 * @param kind       the objects' kind
 * @param current    required: true when the object reached its desired state
 * @param inProgress optional: true while it is still being reconciled (evaluated first)
 * @param failed     optional: true when it failed (evaluated after {@code inProgress}, before {@code current})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record CustomHealthCheck(String apiVersion, String kind, String current, String inProgress, String failed) {
}

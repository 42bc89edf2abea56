package io.conflux.model.helm;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.conflux.model.meta.DependencyReference;
import java.util.List;
import java.util.Map;

/**
 * {@code HelmRelease.spec}, Flux {@code helm.toolkit.fluxcd.io/v2}; the chart template is kept as a tree
 * ({@code chart.spec.chart}, {@code version}, {@code sourceRef}, {@code reconcileStrategy}, {@code valuesFiles} with
 * {@code ignoreMissingValuesFiles}, and {@code v2beta1}'s deprecated {@code valuesFile}) for the renderer to read,
 * as is {@code chartRef} (a direct reference to an {@code OCIRepository} or {@code HelmChart}).
 * {@code postRenderers} run in order on Helm's rendered manifests. {@code install} and {@code upgrade} (with their
 * {@code remediation}) are kept as trees. {@code serviceAccountName} is impersonated on the target cluster.
 * {@code driftDetection} ({@code mode}, {@code ignore}) is kept as a tree for the applier to read.
 * {@code test} ({@code enable}, {@code ignoreFailures}, {@code filters}), {@code rollback} and {@code uninstall}
 * (their {@code disableHooks}) are trees too; {@code storageNamespace} (default: the HelmRelease's namespace) and
 * {@code maxHistory} (default 5; 0 keeps every record) say where and how many of Helm's release Secrets are kept.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record HelmReleaseSpec(Map<String, Object> chart, String interval, String timeout, String releaseName,
                              String targetNamespace, Map<String, Object> values,
                              List<Map<String, Object>> valuesFrom, List<DependencyReference> dependsOn,
                              Map<String, Object> install, Map<String, Object> upgrade, Boolean suspend,
                              Map<String, Object> kubeConfig, Map<String, Object> chartRef,
                              List<PostRenderer> postRenderers, String serviceAccountName,
                              Map<String, Object> driftDetection, Map<String, Object> test,
                              Map<String, Object> rollback, Map<String, Object> uninstall,
                              String storageNamespace, Integer maxHistory) {
}

package io.conflux.model.source;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.conflux.model.meta.Condition;
import java.util.List;

/**
 * {@code HelmChart.status}, Flux {@code source.toolkit.fluxcd.io/v1}.
 *
 * @param observedGeneration             the generation last reconciled
 * @param observedSourceArtifactRevision the source artifact revision the chart was built from
 * @param observedChartName              the chart's name as read from the chart
 * @param observedValuesFiles            the values files merged
 * @param conditions                     {@code Ready} ({@code ChartPullSucceeded}, {@code ChartPackageSucceeded}, or a
 *                                       failure reason)
 * @param url                            where the last artifact is served
 * @param artifact                       revision = chart version ({@code +<digest or sha>} with the Revision
 *                                       strategy), digest
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record HelmChartStatus(Long observedGeneration, String observedSourceArtifactRevision, String observedChartName,
                              List<String> observedValuesFiles, List<Condition> conditions, String url,
                              Artifact artifact) {
}

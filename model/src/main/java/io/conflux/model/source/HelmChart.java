package io.conflux.model.source;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Flux's {@code HelmChart} ({@code source.toolkit.fluxcd.io/v1}, source-controller's
 * {@code docs/spec/v1/helmcharts.md}): a chart pulled from a HelmRepository or packaged from a GitRepository or Bucket.
 */
@Group(GitRepository.GROUP)
@Version(GitRepository.VERSION)
@Kind(HelmChart.KIND)
@Plural("helmcharts")
public class HelmChart extends CustomResource<HelmChartSpec, HelmChartStatus> implements Namespaced {
    public static final String KIND = "HelmChart";
    /** Ready reason of a chart pulled from a HelmRepository. */
    public static final String CHART_PULL_SUCCEEDED = "ChartPullSucceeded";
    /** Ready reason of a chart packaged from a GitRepository or Bucket. */
    public static final String CHART_PACKAGE_SUCCEEDED = "ChartPackageSucceeded";
    /** {@code spec.reconcileStrategy}: a new artifact only for a new chart version (default). */
    public static final String STRATEGY_CHART_VERSION = "ChartVersion";
    /** {@code spec.reconcileStrategy}: a new artifact for every new source revision. */
    public static final String STRATEGY_REVISION = "Revision";
}

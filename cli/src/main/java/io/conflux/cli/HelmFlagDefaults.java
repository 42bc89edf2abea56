package io.conflux.cli;

import io.conflux.kustomize.ChartInflator;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code kustomize build}'s {@code --helm-kube-version} and {@code --helm-api-versions} (kustomize/commands/build
 * flagenablehelm.go): defaults for every chart, which a chart's own {@code kubeVersion}/{@code apiVersions} override,
 * as the HelmChartInflationGenerator plugin sets them before reading the chart's fields.
 *
 * @param inflator renders
 * @param kubeVersion the {@code --helm-kube-version} value, empty when not given
 * @param apiVersions the {@code --helm-api-versions} values, empty when not given
 */
record HelmFlagDefaults(ChartInflator inflator, String kubeVersion, List<String> apiVersions) implements ChartInflator {

    @Override
    public void pull(String repo, String name, String version, boolean devel, Path untarDir) {
        inflator.pull(repo, name, version, devel, untarDir);
    }

    @Override
    public String template(Template t) {
        return inflator.template(new Template(t.chartDir(), t.releaseName(), t.namespace(), t.nameTemplate(),
                t.valuesFiles(), t.includeCrds(), t.skipHooks(), t.skipTests(),
                t.apiVersions().isEmpty() ? apiVersions : t.apiVersions(),
                t.kubeVersion().isEmpty() ? kubeVersion : t.kubeVersion()));
    }
}

package io.conflux.kustomize;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Renders Helm charts for a kustomization's {@code helmCharts} (and the legacy {@code helmChartInflationGenerator}
 * field): what kustomize's builtin HelmChartInflationGenerator does by running {@code helm pull} and
 * {@code helm template} (follows plugin/builtin/helmchartinflationgenerator and api/types/helmchartargs.go of
 * kustomize v5.7). The kustomize module only locates the chart and prepares the values as that plugin does; an
 * implementation renders (the helm module's {@code io.conflux.helm.KustomizeChartInflator}, with the Helm library,
 * no binary). Given to a build with {@link Kustomizer#withChartInflator}; without one, {@code helmCharts} fail the
 * build naming the kustomization file, as {@code kustomize build} without {@code --enable-helm}.
 *
 * <p>Implementations must be thread-safe; errors are {@link KustomizeException}s naming the chart, never a secret.
 */
public interface ChartInflator {

  /**
   * One {@code helm template} run (the arguments of kustomize's {@code HelmChart.AsHelmArgs}).
   *
   * @param chartDir the unpacked chart directory ({@code <chartHome>/<name>}, or
   *     {@code <chartHome>/<name>-<version>/<name>} when both version and repo are set); it exists
   * @param releaseName {@code releaseName}; empty: a generated name, as {@code helm template --generate-name}
   * @param namespace {@code namespace}, the release namespace; empty: Helm's default ({@code default})
   * @param nameTemplate {@code nameTemplate}, a template for the release name; empty when unset
   * @param valuesFiles the values documents in {@code -f} order: the (merged) values file first, then each
   *     {@code additionalValuesFiles} entry; each a JSON-compatible tree, later ones merged over earlier ones as
   *     Helm merges {@code -f} files, then coalesced over the chart's own {@code values.yaml}
   * @param includeCrds {@code includeCRDs}: the chart's {@code crds/} objects come first
   * @param skipHooks {@code skipHooks} ({@code --no-hooks}): hook objects are left out
   * @param skipTests {@code skipTests} ({@code --skip-tests}): test hooks are left out
   * @param apiVersions {@code apiVersions} ({@code --api-versions}), added to Helm's defaults
   * @param kubeVersion {@code kubeVersion} ({@code --kube-version}); empty: the implementation's default
   */
  record Template(Path chartDir, String releaseName, String namespace, String nameTemplate,
      List<Map<String, Object>> valuesFiles, boolean includeCrds, boolean skipHooks, boolean skipTests,
      List<String> apiVersions, String kubeVersion) {
    /** Checks for nulls and copies the lists. */
    public Template {
      Objects.requireNonNull(chartDir, "chartDir");
      Objects.requireNonNull(releaseName, "releaseName");
      Objects.requireNonNull(namespace, "namespace");
      Objects.requireNonNull(nameTemplate, "nameTemplate");
      valuesFiles = List.copyOf(valuesFiles);
      apiVersions = List.copyOf(apiVersions);
      Objects.requireNonNull(kubeVersion, "kubeVersion");
    }
  }

  /**
   * {@code helm pull --untar --untardir <untarDir> [--repo <repo>] <name> [--version <version>]}: fetches a chart
   * the kustomization names but that is not on disk, unpacking it to {@code <untarDir>/<name>}.
   *
   * @param repo the {@code repo} field: an {@code http(s)://} chart repository or an {@code oci://} registry path
   * @param name the chart name
   * @param version the version (a semver range as Helm takes it); empty: the latest stable
   * @param devel {@code devel}: pre-releases count when no version is given
   * @param untarDir the directory the chart directory is created in
   * @throws KustomizeException when the chart cannot be fetched or unpacked (message names repository and chart)
   */
  void pull(String repo, String name, String version, boolean devel, Path untarDir);

  /**
   * {@code helm template}: renders the chart.
   *
   * @return the manifest stream as {@code helm template} prints it (YAML documents separated by {@code ---}): the
   *     CRDs when asked for, the release manifest in Helm's install order, then the hooks
   * @throws KustomizeException when the chart does not load or render (message names the chart)
   */
  String template(Template template);
}

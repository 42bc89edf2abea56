package io.conflux.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conflux.helm.testing.LocalChartRepository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code chart.spec.valuesFiles} as source-controller builds them into a chart's default values. */
class ChartValuesFilesTest {

  @TempDir
  Path tmp;
  Path chartDir;
  Path archive;

  @BeforeEach
  void chart() throws IOException {
    chartDir = tmp.resolve("src/app");
    write(chartDir.resolve("Chart.yaml"), "apiVersion: v2\nname: app\nversion: 1.0.0\n");
    write(chartDir.resolve("values.yaml"), "replicaCount: 1\nonlyDefault: kept\nui: {color: blue, logo: default}\n"
        + "hosts: [a, b]\n");
    write(chartDir.resolve("values-prod.yaml"), "replicaCount: 3\nui: {color: red}\nhosts: [c]\n");
    write(chartDir.resolve("env/values-broken.yaml"), "- not\n- a map\n");
    write(chartDir.resolve("templates/cm.yaml"), """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: values}
        data:
          values.json: {{ toJson .Values | quote }}
        """);
    try (LocalChartRepository repo = LocalChartRepository.start(chartDir)) {
      archive = Files.write(tmp.resolve("app-1.0.0.tgz"), repo.archive("app", "1.0.0"));
    }
  }

  @Test
  void filesInsideTheChartMergeInOrderLastWinsListsReplaced() {
    assertThat(ChartValuesFiles.mergeFromChart(archive, List.of("values.yaml", "./values-prod.yaml"), false))
        .isEqualTo(Map.of("replicaCount", 3, "onlyDefault", "kept", "ui", Map.of("color", "red", "logo", "default"),
            "hosts", List.of("c")));
    // values.yaml is not included unless listed
    assertThat(ChartValuesFiles.mergeFromChart(archive, List.of("values-prod.yaml"), false))
        .isEqualTo(Map.of("replicaCount", 3, "ui", Map.of("color", "red"), "hosts", List.of("c")));
    // a chart directory reads the same way
    assertThat(ChartValuesFiles.mergeFromChart(chartDir, List.of("values-prod.yaml", "values.yaml"), false))
        .containsEntry("replicaCount", 1).containsEntry("hosts", List.of("a", "b"));
  }

  @Test
  void missingFileFailsNamingItUnlessIgnored() {
    assertThatThrownBy(() -> ChartValuesFiles.mergeFromChart(archive, List.of("values.yaml", "values-qa.yaml"), false))
        .isInstanceOf(HelmException.class).hasMessage("no values file found at path 'values-qa.yaml'");
    // templates are not chart files, nor is anything outside the chart
    assertThatThrownBy(() -> ChartValuesFiles.mergeFromChart(archive, List.of("templates/cm.yaml"), false))
        .hasMessage("no values file found at path 'templates/cm.yaml'");
    assertThatThrownBy(() -> ChartValuesFiles.mergeFromChart(archive, List.of("../app/values.yaml"), false))
        .hasMessage("no values file found at path '../app/values.yaml'");
    assertThat(ChartValuesFiles.mergeFromChart(archive, List.of("values-qa.yaml", "values-prod.yaml"), true))
        .containsEntry("replicaCount", 3).doesNotContainKey("onlyDefault");
    assertThat(ChartValuesFiles.mergeFromChart(archive, List.of("values-qa.yaml"), true)).isEmpty();
    assertThatThrownBy(() -> ChartValuesFiles.mergeFromChart(archive, List.of("env/values-broken.yaml"), true))
        .hasMessageContaining("values file 'env/values-broken.yaml'").hasMessageContaining("not a YAML map");
  }

  @Test
  void sourcePathsAreFromTheRootAndCannotLeaveIt() {
    Path root = tmp.resolve("src");
    assertThat(ChartValuesFiles.mergeFromSource(root, List.of("./app/values.yaml", "app/values-prod.yaml"), false))
        .containsEntry("replicaCount", 3).containsEntry("onlyDefault", "kept");
    // relative to the root, not to the chart
    assertThatThrownBy(() -> ChartValuesFiles.mergeFromSource(root, List.of("values-prod.yaml"), false))
        .hasMessage("no values file found at path 'values-prod.yaml'");
    // ../ stays at the root, as securejoin does
    assertThat(ChartValuesFiles.mergeFromSource(root.resolve("app"), List.of("../../values-prod.yaml"), false))
        .containsEntry("replicaCount", 3);
    assertThat(ChartValuesFiles.mergeFromSource(root, List.of("app/values-qa.yaml", "app/values-prod.yaml"), true))
        .doesNotContainKey("onlyDefault").containsEntry("replicaCount", 3);
    // a directory is no values file, ignored or not
    assertThatThrownBy(() -> ChartValuesFiles.mergeFromSource(root, List.of("app/env"), true))
        .hasMessage("no values file found at path 'app/env'");
  }

  @Test
  void mergedFilesReplaceTheDefaultsAndUserValuesGoOnTop() throws IOException {
    Path dir = ChartValuesFiles.unpack(archive, tmp.resolve("work/app"));
    assertThat(dir.resolve("Chart.yaml")).exists();
    assertThat(dir.resolve("templates/cm.yaml")).exists();
    ChartValuesFiles.replaceDefaultValues(dir, ChartValuesFiles.mergeFromChart(archive, List.of("values-prod.yaml"),
        false));

    List<Map<String, Object>> objects = new ChartRenderer().template(dir, "app", "apps",
        Map.of("ui", Map.of("logo", "user")));
    @SuppressWarnings("unchecked")
    Map<String, Object> data = (Map<String, Object>) objects.get(0).get("data");
    assertThat(Yaml.load(String.valueOf(data.get("values.json")))).isEqualTo(Map.of("replicaCount", 3, "ui", Map.of("color", "red", "logo", "user"),
        "hosts", List.of("c")));
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }
}

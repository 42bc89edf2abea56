package io.conflux.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile YAML in Helm values (issue #11, defect 3): alias bombs and deep nesting in a {@code valuesFrom} ConfigMap
 * or Secret, a chart's {@code values.yaml} or a {@code valuesFiles} entry fail with a {@link HelmException} naming
 * the source and the bound, never by expanding billions of nodes or with a {@link StackOverflowError}.
 */
class HostileValuesTest {
  @TempDir
  Path tmp;

  /** {@code width} aliases of the previous anchor on each of {@code levels} levels: width^levels leaves. */
  static String aliasBomb(int width, int levels) {
    StringBuilder b = new StringBuilder("l0: &l0 [" + "\"lol\",".repeat(width - 1) + "\"lol\"]\n");
    for (int level = 1; level < levels; level++) {
      b.append('l').append(level).append(": &l").append(level).append(" [");
      for (int i = 0; i < width; i++) {
        b.append(i == 0 ? "" : ",").append("*l").append(level - 1);
      }
      b.append("]\n");
    }
    return b.toString();
  }

  static String nested(int depth) {
    return "deep: " + "[".repeat(depth) + "]".repeat(depth) + "\n";
  }

  @Test
  void nineByNineBombInValuesFromIsExcessiveAliasingNamingTheObjectAndKey() {
    assertThatThrownBy(() -> HelmValues.reference("ConfigMap", "team-a", "vals",
        Map.of("values.yaml", aliasBomb(9, 9)), null, null, false))
        .isInstanceOf(HelmException.class)
        .hasMessageMatching("failed to parse values of ConfigMap 'team-a/vals' key 'values\\.yaml': "
            + "excessive aliasing: .* \\(line \\d+, column \\d+\\)");
  }

  @Test
  void aBombUnderSnakeYamlsDefaultAliasCountIsRefusedToo() {
    // 48 aliases (under SnakeYAML's default of 50) expanding to 2^24 leaves
    assertThatThrownBy(() -> HelmValues.reference("Secret", "team-a", "vals",
        Map.of("values.yaml", aliasBomb(2, 25)), null, null, false))
        .isInstanceOf(HelmException.class)
        .hasMessageContaining("Secret 'team-a/vals'")
        .hasMessageContaining("excessive aliasing");
  }

  @Test
  void tenThousandLevelsInValuesFromNameTheObjectNotAStackOverflow() {
    assertThatThrownBy(() -> HelmValues.reference("ConfigMap", "team-a", "vals",
        Map.of("values.yaml", nested(10_000)), null, null, false))
        .isInstanceOf(HelmException.class)
        .hasMessageMatching("failed to parse values of ConfigMap 'team-a/vals' key 'values\\.yaml': "
            + "nesting deeper than 500 levels \\(line 1, column \\d+\\)");
  }

  @Test
  void bombsInAChartsValuesYamlNameTheFile() throws IOException {
    Path chart = Files.createDirectories(tmp.resolve("app"));
    Files.writeString(chart.resolve("Chart.yaml"), "apiVersion: v2\nname: app\nversion: 1.0.0\n");
    Files.writeString(chart.resolve("values.yaml"), aliasBomb(9, 9));
    Files.writeString(chart.resolve("values-deep.yaml"), nested(10_000));

    assertThatThrownBy(() -> ChartValuesFiles.mergeFromChart(chart, List.of("values.yaml"), false))
        .isInstanceOf(HelmException.class)
        .hasMessageStartingWith("failed to parse values of values file 'values.yaml': excessive aliasing");
    assertThatThrownBy(() -> ChartValuesFiles.mergeFromChart(chart, List.of("values-deep.yaml"), false))
        .isInstanceOf(HelmException.class)
        .hasMessageMatching("failed to parse values of values file 'values-deep\\.yaml': "
            + "nesting deeper than 500 levels \\(line 1, column \\d+\\)");
    assertThatThrownBy(() -> ChartFiles.read(chart).crds(Map.of()))
        .isInstanceOf(HelmException.class)
        .hasMessageStartingWith("chart file 'values.yaml' does not parse: excessive aliasing");
  }

  @Test
  void valuesThatReuseBlocksWithAnchorsStillParse() {
    StringBuilder values = new StringBuilder("defaults: &defaults {resources: {limits: {cpu: '1'}}, env: [a, b, c]}\n");
    for (int i = 0; i < 300; i++) {
      values.append("svc").append(i).append(": *defaults\n");
    }
    Map<String, Object> parsed = HelmValues.parse(values.toString(), "test");
    assertThat(parsed).hasSize(301);
    assertThat(parsed.get("svc299")).isEqualTo(parsed.get("defaults"));
  }
}

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

/** Charts inside a source tree, as source-controller builds them for GitRepository sources. */
class ChartDirectoryTest {

  @TempDir
  Path source;
  @TempDir
  Path out;

  @Test
  void versionComesFromChartYamlAsTextAndRevisionMetadataReplacesAnyThere() throws IOException {
    write("charts/app/Chart.yaml", "apiVersion: v2\nname: app\nversion: 1.10\n");
    assertThat(ChartDirectory.find(source, "./charts/app").version()).isEqualTo("1.10");

    write("charts/app/Chart.yaml", "apiVersion: v2\nname: app\nversion: 2.0.0+build.7\n");
    ChartDirectory chart = ChartDirectory.find(source, "charts/app");
    assertThat(chart.name()).isEqualTo("app");
    assertThat(chart.versionWithRevision("4e5cbb7b97d00a8039b8810b90b922f4256fd3bd")).isEqualTo("2.0.0+4e5cbb7b97d0");
  }

  @Test
  void pathsOutsideTheSourceOrWithoutAChartAreRefusedByName() throws IOException {
    write("charts/empty/README.md", "no chart here\n");
    assertThatThrownBy(() -> ChartDirectory.find(source, "./charts/missing"))
        .isInstanceOf(HelmException.class).hasMessageContaining("chart path './charts/missing' not found");
    assertThatThrownBy(() -> ChartDirectory.find(source, "./charts/empty"))
        .hasMessageContaining("'./charts/empty' has no Chart.yaml");
    assertThatThrownBy(() -> ChartDirectory.find(source.resolve("charts"), "../.."))
        .hasMessageContaining("leaves the source root");
  }

  @Test
  void copyRendersWithTheGivenVersionAndFileDependenciesFromTheSource() throws IOException {
    write("charts/app/Chart.yaml", """
        apiVersion: v2
        name: app
        version: 0.3.0
        dependencies:
          - name: lib
            version: 1.0.0
            repository: file://../../shared/lib
        """);
    write("charts/app/templates/cm.yaml", """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: {{ .Release.Name }}-app}
        data: {chart: {{ .Chart.Version | quote }}}
        """);
    write("shared/lib/Chart.yaml", "apiVersion: v2\nname: lib\nversion: 1.0.0\n");
    write("shared/lib/templates/cm.yaml", """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: {{ .Release.Name }}-lib}
        data: {greeting: {{ .Values.greeting | quote }}}
        """);
    write("shared/lib/values.yaml", "greeting: hello\n");

    ChartDirectory chart = ChartDirectory.find(source, "./charts/app");
    Path copy = chart.copyTo(out.resolve("app"), chart.versionWithRevision("abcdef0123456789"));
    List<Map<String, Object>> objects = new ChartRenderer().template(copy, "r", "default", Map.of());

    assertThat(objects).extracting(o -> String.valueOf(((Map<?, ?>) o.get("metadata")).get("name")))
        .containsExactlyInAnyOrder("r-app", "r-lib");
    assertThat(objects).anySatisfy(o -> assertThat(o.get("data")).isEqualTo(Map.of("chart", "0.3.0+abcdef012345")));
    assertThat(objects).anySatisfy(o -> assertThat(o.get("data")).isEqualTo(Map.of("greeting", "hello")));
    assertThat(Files.readString(source.resolve("charts/app/Chart.yaml"))).contains("version: 0.3.0\n");
  }

  @Test
  void missingRemoteDependenciesAreNamed() throws IOException {
    write("charts/app/Chart.yaml", """
        apiVersion: v2
        name: app
        version: 0.3.0
        dependencies:
          - name: redis
            version: 17.x
            repository: https://charts.example.com
        """);
    ChartDirectory chart = ChartDirectory.find(source, "charts/app");
    assertThatThrownBy(() -> chart.copyTo(out.resolve("app"), chart.version()))
        .isInstanceOf(HelmException.class)
        .hasMessageContaining("depends on 'redis' from 'https://charts.example.com'");
  }

  private void write(String path, String text) throws IOException {
    Path file = source.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }
}

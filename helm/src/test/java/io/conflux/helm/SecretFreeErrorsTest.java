package io.conflux.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Values from {@code valuesFrom} Secrets, and a chart's output rendered from them, never come back in an error
 * message (which travels to the HelmRelease's status, events, Kafka and notifications): errors name the source,
 * path, line and column only.
 */
class SecretFreeErrorsTest {
  private static final String CANARY = "c4n4ry-5e1f0b";

  @TempDir
  Path tmp;

  @Test
  void malformedValuesFromASecretAreNamedByLineNotContent() {
    assertThatThrownBy(() -> HelmValues.parse("db:\n  password: " + CANARY + "\n   user: : " + CANARY + "\n",
            "Secret 'apps/db' key 'values.yaml'"))
        .isInstanceOf(HelmException.class)
        .hasMessageStartingWith("failed to parse values of Secret 'apps/db' key 'values.yaml': ")
        .hasMessageContaining("(line 3, column ")
        .hasNoCause()
        .message().doesNotContain(CANARY);
  }

  @Test
  void aTargetPathValueThatDoesNotParseIsNotShown() {
    assertThatThrownBy(() -> HelmValues.setPath(new LinkedHashMap<>(), "db.password", "abc," + CANARY))
        .isInstanceOf(HelmException.class)
        .hasMessageStartingWith("failed to set value at path 'db.password': the value does not parse")
        .message().doesNotContain(CANARY);
    // A bad path is still explained by --set's own message, which then holds only the path.
    assertThatThrownBy(() -> HelmValues.setPath(new LinkedHashMap<>(), "db[x]", "v"))
        .hasMessageContaining("failed to set value at path 'db[x]': ")
        .hasMessageContaining("strconv.Atoi");
    Map<String, Object> values = new LinkedHashMap<>();
    HelmValues.setPath(values, "db.password", CANARY);
    assertThat(values).isEqualTo(Map.of("db", Map.of("password", CANARY)));
  }

  @Test
  void chartOutputThatDoesNotParseIsNotShown() throws IOException {
    Path chart = tmp.resolve("leaky");
    Files.createDirectories(chart.resolve("templates"));
    Files.writeString(chart.resolve("Chart.yaml"), "apiVersion: v2\nname: leaky\nversion: 1.0.0\n");
    Files.writeString(chart.resolve("templates/scalar.yaml"),
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  p: {{ .Values.password }}\n   x: : y\n");
    assertThatThrownBy(() -> new ChartRenderer().template(chart, "r", "default", Map.of("password", CANARY)))
        .isInstanceOf(HelmException.class)
        .message().doesNotContain(CANARY);
  }
}

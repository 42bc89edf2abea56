package io.conflux.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.kustomize.Kustomizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Smoke test of the benchmark input: one build of the synthetic overlay, no timing. */
class SyntheticOverlayTest {
  @TempDir Path tmp;

  @Test
  void syntheticOverlayBuildsToTheExpectedObjects() {
    SyntheticOverlay synthetic = SyntheticOverlay.standard();
    assertThat(synthetic.expectedObjects()).isEqualTo(2000);
    Path overlay = synthetic.writeTo(tmp);

    List<Map<String, Object>> objects = Kustomizer.create().build(overlay).objects();

    assertThat(objects).hasSize(synthetic.expectedObjects());
    assertThat(objects).allSatisfy(o -> assertThat(name(o)).startsWith("prod-"));
    assertThat(objects).filteredOn(o -> "Secret".equals(o.get("kind")))
        .extracting(SyntheticOverlayTest::name)
        .allMatch(n -> n.matches("prod-db-credentials-\\d-[a-z0-9]{10}"));
  }

  @Test
  void countsDocumentsOfABuildStream() {
    assertThat(BenchMain.countDocuments("")).isZero();
    assertThat(BenchMain.countDocuments("a: 1\n")).isEqualTo(1);
    assertThat(BenchMain.countDocuments("a: 1\n---\nb: |\n  ---\n---\nc: 3\n")).isEqualTo(3);
  }

  @SuppressWarnings("unchecked")
  private static String name(Map<String, Object> o) {
    return (String) ((Map<String, Object>) o.get("metadata")).get("name");
  }
}

package io.conflux.kustomize;

import io.conflux.helm.KustomizeChartInflator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The krusty conformance cases that inflate Helm charts ({@code helm=enabled} in a case's {@code options}: kustomize
 * v5.7's api/krusty/helmchartinflationgenerator_test.go, charts vendored by {@code conformance/generate.sh}), run by
 * the kustomize module's one runner ({@link ConformanceTest#krusty(Path, ChartInflator, int)}) with the helm module's
 * {@link KustomizeChartInflator}: here both modules are on the class path. Prints
 * {@code Krusty conformance (helm cases): N passed, N failed, N excluded}.
 */
class KrustyHelmConformanceTest {
  /** The number of Helm cases passing when this threshold was last raised; never lower it. */
  static final int MIN_PASSED = 14;

  private static final Path KRUSTY = Path.of("../kustomize/conformance/krusty");

  @TempDir
  static Path cache;

  @TestFactory
  Stream<DynamicTest> helmCases() throws IOException {
    Assumptions.assumeTrue(Files.isDirectory(KRUSTY), "krusty corpus not found at " + KRUSTY.toAbsolutePath());
    return ConformanceTest.krusty(KRUSTY, new KustomizeChartInflator(cache, Duration.ofSeconds(30)), MIN_PASSED);
  }
}

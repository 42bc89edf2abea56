package io.conflux.kustomize;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conflux.kustomize.yaml.KYaml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Builds every case of the shared kustomize conformance suite ({@code ../../shared/conformance/kustomize/cases},
 * taken from kustomize's api/krusty tests, expectations from kubectl kustomize v1.35) and compares
 * the result with {@code expected.yaml} as parsed data, document by document, in order.
 *
 * <p>A case that does not match is reported as aborted (with the difference) rather than failed;
 * the final summary test fails when fewer than {@link #MIN_PASSED} cases pass, so a regression
 * breaks the build.
 */
class ConformanceTest {
  /** The number of cases passing when this threshold was last raised; never lower it. */
  static final int MIN_PASSED = 79;

  private static final Path CASES = Path.of("../../shared/conformance/kustomize/cases");

  private final List<String> passed = new ArrayList<>();
  private final List<String> failed = new ArrayList<>();
  private final List<String> textIdentical = new ArrayList<>();

  @TestFactory
  Stream<DynamicTest> conformance() throws IOException {
    Assumptions.assumeTrue(Files.isDirectory(CASES), "conformance cases not found at " + CASES.toAbsolutePath());
    List<Path> cases;
    try (Stream<Path> s = Files.list(CASES)) {
      cases = s.filter(Files::isDirectory).sorted().toList();
    }
    List<DynamicTest> tests = new ArrayList<>();
    for (Path c : cases) {
      tests.add(DynamicTest.dynamicTest(c.getFileName().toString(), () -> runCase(c)));
    }
    tests.add(DynamicTest.dynamicTest("summary", () -> {
      System.out.println("Conformance: " + passed.size() + " passed, " + failed.size() + " failed");
      System.out.println("Conformance output text identical to the reference: " + textIdentical.size());
      failed.forEach(f -> System.out.println("  failing: " + f));
      assertTrue(passed.size() >= MIN_PASSED, "conformance regressed: " + passed.size() + " < " + MIN_PASSED);
    }));
    return tests.stream();
  }

  private void runCase(Path c) throws IOException {
    String name = c.getFileName().toString();
    String cmd = Files.readString(c.resolve("cmd")).trim();
    List<Map<String, Object>> expected = KYaml.parseAll(Files.readString(c.resolve("expected.yaml")), "expected.yaml");
    String problem;
    try {
      ResourceList built = Kustomizer.create().build(c.resolve("input").resolve(cmd));
      problem = Compare.difference(expected, built.objects());
      if (built.toYaml().equals(Files.readString(c.resolve("expected.yaml")))) {
        textIdentical.add(name);
      }
    } catch (KustomizeException e) {
      problem = "build failed: " + e.getMessage();
    }
    if (problem == null) {
      passed.add(name);
    } else {
      failed.add(name + " — " + firstLine(problem));
      if (Boolean.getBoolean("conformance.verbose")) {
        System.out.println("=== " + name + "\n" + problem);
      }
      Assumptions.abort(problem);
    }
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}

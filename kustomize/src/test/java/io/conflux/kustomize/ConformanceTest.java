package io.conflux.kustomize;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Builds every case of the shared kustomize conformance suite ({@code ../../shared/conformance/kustomize/cases},
 * taken from kustomize's api/krusty tests, expectations from kubectl kustomize v1.35) and of the generated
 * corpus ({@code conformance/krusty/cases}: every test function of kustomize v5.7's api/krusty and its
 * examples, made by {@code conformance/generate.sh}), and compares the result with {@code expected.yaml} as
 * parsed data, document by document, in order — or, for {@code expected-error}, requires the build to fail.
 *
 * <p>A case that does not match is reported as aborted (with the difference) rather than failed; each
 * suite's summary test fails when fewer cases pass than its recorded threshold, so a regression breaks the
 * build. The summary prints {@code N passed, N failed, N excluded} (excluded and unparsed tests are listed
 * with their reasons in {@code conformance/krusty/unparsed.tsv}).
 */
class ConformanceTest {
  /** The number of shared cases passing when this threshold was last raised; never lower it. */
  static final int MIN_PASSED = 79;
  /** The number of generated krusty cases passing when this threshold was last raised; never lower it. */
  static final int MIN_PASSED_KRUSTY = 414;

  private static final Path CASES = Path.of("../../shared/conformance/kustomize/cases");
  private static final Path KRUSTY = Path.of("conformance/krusty");

  @TestFactory
  Stream<DynamicTest> conformance() throws IOException {
    Assumptions.assumeTrue(Files.isDirectory(CASES), "conformance cases not found at " + CASES.toAbsolutePath());
    return suite("Conformance", CASES, MIN_PASSED, 0, false, null, c -> true, "");
  }

  /** Issue #16's regression cases (src/test/resources/regressions): all must pass, byte for byte and error messages included. */
  @TestFactory
  Stream<DynamicTest> regressions() throws Exception {
    Path root = Path.of(ConformanceTest.class.getResource("/regressions").toURI());
    long count;
    try (Stream<Path> s = Files.list(root)) {
      count = s.filter(Files::isDirectory).count();
    }
    return suite("Regressions", root, (int) count, 0, true, null, c -> true, "");
  }

  /**
   * The generated krusty cases, except those inflating Helm charts ({@code helm=enabled}): the helm module's
   * KrustyHelmConformanceTest runs them with its ChartInflator through {@link #krusty(Path, ChartInflator, int)}.
   */
  @TestFactory
  Stream<DynamicTest> krusty() throws IOException {
    return krusty(KRUSTY, null, MIN_PASSED_KRUSTY);
  }

  /**
   * The krusty suite of {@code krustyDir}: with {@code inflator} null every case but the Helm ones (the summary
   * names how many were left to the helm module), else only the Helm ones, inflated by it.
   *
   * @param krustyDir the {@code conformance/krusty} directory
   * @param inflator renders charts, or null
   * @param minPassed the summary fails below this many passing cases
   */
  static Stream<DynamicTest> krusty(Path krustyDir, ChartInflator inflator, int minPassed) throws IOException {
    List<String> listed = Files.readAllLines(krustyDir.resolve("unparsed.tsv"));
    long excluded = listed.stream().filter(l -> l.contains("\texcluded\t")).count();
    long unparsed = listed.stream().filter(l -> l.contains("\tunparsed\t")).count();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("tests: (\\d+)")
        .matcher(Files.readString(krustyDir.resolve("SOURCE")));
    long tests = m.find() ? Long.parseLong(m.group(1)) : 0;
    String extra = String.format(java.util.Locale.ROOT, ", %d unparsed (excluded + unparsed: %.1f%% of %d tests)",
        unparsed, tests == 0 ? 0.0 : 100.0 * (excluded + unparsed) / tests, tests);
    java.util.function.Predicate<ConformanceCase> helm = c -> {
      try {
        return c.needsHelm();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };
    return inflator == null
        ? suite("Krusty conformance", krustyDir.resolve("cases"), minPassed, excluded, false, null, helm.negate(), extra)
        : suite("Krusty conformance (helm cases)", krustyDir.resolve("cases"), minPassed, 0, false, inflator, helm, "");
  }

  private static Stream<DynamicTest> suite(String title, Path root, int minPassed, long excluded,
      boolean strictMessages, ChartInflator inflator, java.util.function.Predicate<ConformanceCase> run, String extra)
      throws IOException {
    List<String> passed = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    List<String> textIdentical = new ArrayList<>();
    List<String> messageMatched = new ArrayList<>();
    List<Path> cases;
    try (Stream<Path> s = Files.list(root)) {
      cases = s.filter(Files::isDirectory).sorted().toList();
    }
    List<DynamicTest> tests = new ArrayList<>();
    List<String> elsewhere = new ArrayList<>();
    for (Path c : cases) {
      String name = c.getFileName().toString();
      if (!run.test(new ConformanceCase(name, c, inflator))) {
        elsewhere.add(name);
        continue;
      }
      tests.add(DynamicTest.dynamicTest(name, () -> {
        ConformanceCase.Outcome o = new ConformanceCase(name, c, inflator).run();
        if (o.textIdentical()) {
          textIdentical.add(name);
        }
        if (o.messageMatched()) {
          messageMatched.add(name);
        }
        if (o.passed() && strictMessages && Files.exists(c.resolve("expected.yaml")) && !o.textIdentical()) {
          o = new ConformanceCase.Outcome(false, false, false, "the same objects, but the text differs from "
              + "expected.yaml");
        }
        if (o.passed() && strictMessages && Files.exists(c.resolve("expected-error")) && !o.messageMatched()) {
          o = new ConformanceCase.Outcome(false, false, false, "the error message lacks "
              + Files.readString(c.resolve("expected-error")).trim() + ": " + o.problem());
        }
        if (o.passed()) {
          passed.add(name);
          return;
        }
        failed.add(name + " — " + firstLine(o.problem()));
        if (Boolean.getBoolean("conformance.verbose")) {
          System.out.println("=== " + name + "\n" + o.problem());
        }
        Assumptions.abort(o.problem());
      }));
    }
    tests.add(DynamicTest.dynamicTest("summary", () -> {
      System.out.println(title + ": " + passed.size() + " passed, " + failed.size() + " failed, " + excluded
          + " excluded" + extra + (elsewhere.isEmpty() || inflator != null ? "" : "; " + elsewhere.size()
          + " Helm cases run by the helm module (KrustyHelmConformanceTest)"));
      System.out.println(title + " output text identical to the expectation: " + textIdentical.size()
          + "; expected errors whose message fragments match: " + messageMatched.size());
      failed.forEach(f -> System.out.println("  failing: " + f));
      assertTrue(passed.size() >= minPassed, title + " regressed: " + passed.size() + " < " + minPassed);
    }));
    return tests.stream();
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}

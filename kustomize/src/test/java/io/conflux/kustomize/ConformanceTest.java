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
  static final int MIN_PASSED_KRUSTY = 342;

  private static final Path CASES = Path.of("../../shared/conformance/kustomize/cases");
  private static final Path KRUSTY = Path.of("conformance/krusty");

  @TestFactory
  Stream<DynamicTest> conformance() throws IOException {
    Assumptions.assumeTrue(Files.isDirectory(CASES), "conformance cases not found at " + CASES.toAbsolutePath());
    return suite("Conformance", CASES, MIN_PASSED, 0, false, "");
  }

  /** Issue #16's regression cases (src/test/resources/regressions): all must pass, byte for byte and error messages included. */
  @TestFactory
  Stream<DynamicTest> regressions() throws Exception {
    Path root = Path.of(ConformanceTest.class.getResource("/regressions").toURI());
    long count;
    try (Stream<Path> s = Files.list(root)) {
      count = s.filter(Files::isDirectory).count();
    }
    return suite("Regressions", root, (int) count, 0, true, "");
  }

  /**
   * The generated corpus; its summary also prints the unparsed tests and, of all tests (test functions and example
   * files, {@code krusty/SOURCE}), the share excluded or unparsed.
   */
  @TestFactory
  Stream<DynamicTest> krusty() throws IOException {
    List<String> listed = Files.readAllLines(KRUSTY.resolve("unparsed.tsv"));
    long excluded = listed.stream().filter(l -> l.contains("\texcluded\t")).count();
    long unparsed = listed.stream().filter(l -> l.contains("\tunparsed\t")).count();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("tests: (\\d+)")
        .matcher(Files.readString(KRUSTY.resolve("SOURCE")));
    long tests = m.find() ? Long.parseLong(m.group(1)) : 0;
    String extra = String.format(java.util.Locale.ROOT, ", %d unparsed (excluded + unparsed: %.1f%% of %d tests)",
        unparsed, tests == 0 ? 0.0 : 100.0 * (excluded + unparsed) / tests, tests);
    return suite("Krusty conformance", KRUSTY.resolve("cases"), MIN_PASSED_KRUSTY, excluded, false, extra);
  }

  private static Stream<DynamicTest> suite(String title, Path root, int minPassed, long excluded,
      boolean strictMessages, String extra) throws IOException {
    List<String> passed = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    List<String> textIdentical = new ArrayList<>();
    List<String> messageMatched = new ArrayList<>();
    List<Path> cases;
    try (Stream<Path> s = Files.list(root)) {
      cases = s.filter(Files::isDirectory).sorted().toList();
    }
    List<DynamicTest> tests = new ArrayList<>();
    for (Path c : cases) {
      String name = c.getFileName().toString();
      tests.add(DynamicTest.dynamicTest(name, () -> {
        ConformanceCase.Outcome o = new ConformanceCase(name, c).run();
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
          + " excluded" + extra);
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

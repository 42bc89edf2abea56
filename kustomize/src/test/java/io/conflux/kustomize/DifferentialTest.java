package io.conflux.kustomize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.conflux.kustomize.yaml.KYaml;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Builds every kustomization under {@code ../../shared/fixtures/repos} with this library and with
 * the reference {@code kubectl kustomize} (v1.35, kustomize v5.7) and requires the same objects in
 * the same order (and, beyond that requirement, the same text). Skipped when the reference binary is absent (install it with
 * {@code /work/shared/tools/install-reference-tools.sh}; {@code CONFLUX_REF_KUBECTL} overrides
 * its path).
 */
class DifferentialTest {
  private static final Path REPOS = Path.of("../../shared/fixtures/repos");

  static Path kubectl() {
    String env = System.getenv("CONFLUX_REF_KUBECTL");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "conflux-ref", "bin", "kubectl");
  }

  @TestFactory
  Stream<DynamicTest> sameAsKubectlKustomize() throws IOException {
    Path kubectl = kubectl();
    Assumptions.assumeTrue(Files.isExecutable(kubectl), "reference kubectl not installed at " + kubectl);
    Assumptions.assumeTrue(Files.isDirectory(REPOS), "fixture repositories not found at " + REPOS.toAbsolutePath());
    List<Path> dirs;
    try (Stream<Path> s = Files.walk(REPOS)) {
      dirs = s.filter(p -> p.getFileName().toString().equals("kustomization.yaml")).map(Path::getParent).sorted()
          .toList();
    }
    List<DynamicTest> tests = new ArrayList<>();
    for (Path dir : dirs) {
      tests.add(DynamicTest.dynamicTest(REPOS.relativize(dir).toString(), () -> compare(kubectl, dir)));
    }
    return tests.stream();
  }

  /** Compares one directory; a failing reference build must fail here too. */
  static void compare(Path kubectl, Path dir) throws IOException, InterruptedException {
    Reference ref = runReference(kubectl, dir);
    if (ref.exitCode() != 0) {
      assertThrows(KustomizeException.class, () -> Kustomizer.create().build(dir),
          "kubectl kustomize failed (" + ref.stderr().trim() + ") but the build succeeded");
      return;
    }
    List<Map<String, Object>> expected = KYaml.parseAll(ref.stdout(), "kubectl kustomize output");
    ResourceList built = Kustomizer.create().build(dir);
    assertNull(Compare.difference(expected, built.objects()));
    assertEquals(expected.size(), built.objects().size());
    assertEquals(ref.stdout(), built.toYaml(), "output text");
  }

  record Reference(int exitCode, String stdout, String stderr) {}

  static Reference runReference(Path kubectl, Path dir) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(kubectl.toString(), "kustomize", dir.toString()).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("kubectl kustomize timed out on " + dir);
    }
    return new Reference(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
  }
}

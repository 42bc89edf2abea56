package io.conflux.kustomize;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The differential runner over public repositories, a profile of the test run: off unless
 * {@code -Dkustomize.differential.repos=URL[,URL...]} names git repositories (any URL or path {@code git clone}
 * takes). Each is cloned at run time ({@code git clone --depth 1}, files whose blobs the source lacks left out; into {@code target/differential-repos/}), and every
 * directory holding a kustomization file is built with this library and with the reference
 * {@code kubectl kustomize --load-restrictor LoadRestrictionsNone} (v1.35, kustomize v5.7; the load restriction
 * Flux's kustomize-controller uses). A directory passes when both fail, or both succeed with byte-identical output.
 * Prints {@code Differential: N passed, N failed} and the failing directories; fails when any failed.
 *
 * <pre>
 * ./mvnw -o -B -q -pl kustomize -am verify -Dtest=RepositoriesDifferentialTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dkustomize.differential.repos=https://github.com/fluxcd/flux2-kustomize-helm-example,https://github.com/...
 * </pre>
 */
class RepositoriesDifferentialTest {
  private static final Set<String> FILE_NAMES = Set.of("kustomization.yaml", "kustomization.yml", "Kustomization");

  @TestFactory
  Stream<DynamicTest> repositories() throws IOException, InterruptedException {
    String repos = System.getProperty("kustomize.differential.repos", "").trim();
    Assumptions.assumeTrue(!repos.isEmpty(), "no -Dkustomize.differential.repos given");
    Path kubectl = DifferentialTest.kubectl();
    Assumptions.assumeTrue(Files.isExecutable(kubectl), "reference kubectl not installed at " + kubectl);
    Path work = Path.of("target", "differential-repos");
    Files.createDirectories(work);
    List<String> passed = Collections.synchronizedList(new ArrayList<>());
    List<String> failed = Collections.synchronizedList(new ArrayList<>());
    List<DynamicTest> tests = new ArrayList<>();
    for (String url : repos.split(",")) {
      Path clone = cloneRepository(url.trim(), work);
      List<Path> dirs;
      try (Stream<Path> s = Files.walk(clone)) {
        dirs = s.filter(p -> FILE_NAMES.contains(p.getFileName().toString()))
            .filter(p -> !clone.relativize(p).toString().startsWith(".git"))
            .map(Path::getParent).distinct().sorted().toList();
      }
      for (Path dir : dirs) {
        String name = work.relativize(dir).toString();
        tests.add(DynamicTest.dynamicTest(name, () -> {
          String problem = compare(kubectl, dir);
          if (problem == null) {
            passed.add(name);
          } else {
            failed.add(name + " — " + problem);
            Assumptions.abort(problem);
          }
        }));
      }
    }
    tests.add(DynamicTest.dynamicTest("summary", () -> {
      System.out.println("Differential: " + passed.size() + " passed, " + failed.size() + " failed");
      failed.forEach(f -> System.out.println("  failing: " + f));
      assertEquals(List.of(), failed, "directories whose output differs from kubectl kustomize");
    }));
    return tests.stream();
  }

  /**
   * {@code git clone --depth 1 --no-checkout URL work/<last segment>} (reused when already there), then a checkout
   * of every file whose blob the clone holds: a stored snapshot may lack its largest blobs, and those files (named
   * on standard output) are left out. The clone's root.
   */
  static Path cloneRepository(String url, Path work) throws IOException, InterruptedException {
    String last = url.replaceAll("/+$", "").replaceAll("\\.git$", "");
    last = last.substring(last.lastIndexOf('/') + 1);
    if (last.equals("repo")) { // a fetched mirror: <owner+name>/repo
      String parent = url.replaceAll("/+$", "");
      parent = parent.substring(0, parent.lastIndexOf('/'));
      last = parent.substring(parent.lastIndexOf('/') + 1);
    }
    Path dest = work.resolve(last);
    if (!Files.isDirectory(dest)) {
      git(null, "clone", "--quiet", "--no-checkout", "--depth", "1", url, dest.toString());
      // A stored snapshot may lack its largest blobs (images, archives): check out every file but those.
      List<String> checkout = new ArrayList<>(List.of("checkout", "--quiet", "HEAD", "--", "."));
      for (String missing : missingBlobs(dest)) {
        System.out.println("Differential: " + last + ": " + missing + " is absent from the repository, left out");
        checkout.add(":(exclude,literal)" + missing);
      }
      git(dest, checkout.toArray(String[]::new));
    }
    return dest;
  }

  /** The paths at HEAD whose blobs the clone does not hold ({@code git cat-file --batch-check} says "missing"). */
  private static List<String> missingBlobs(Path clone) throws IOException, InterruptedException {
    List<String> paths = new ArrayList<>();
    StringBuilder ids = new StringBuilder();
    for (String entry : git(clone, "ls-tree", "-r", "-z", "HEAD").split("\0")) {
      int tab = entry.indexOf('\t');
      String[] meta = tab < 0 ? new String[0] : entry.substring(0, tab).split(" ");
      if (meta.length == 3 && meta[1].equals("blob")) {
        paths.add(entry.substring(tab + 1));
        ids.append(meta[2]).append('\n');
      }
    }
    Process p = new ProcessBuilder("git", "-C", clone.toString(), "cat-file", "--batch-check").start();
    try (var in = p.getOutputStream()) {
      in.write(ids.toString().getBytes(StandardCharsets.UTF_8));
    }
    String[] answers = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n");
    p.waitFor();
    List<String> missing = new ArrayList<>();
    for (int i = 0; i < paths.size() && i < answers.length; i++) {
      if (answers[i].endsWith(" missing")) {
        missing.add(paths.get(i));
      }
    }
    return missing;
  }

  /** Runs {@code git ARGS} (in {@code dir} when not null); its output, or an IOException naming the failure. */
  private static String git(Path dir, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("git"));
    if (dir != null) {
      command.addAll(List.of("-C", dir.toString()));
    }
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out.trim());
    }
    return out;
  }

  /** Null when both engines agree (both fail, or the same text); otherwise what differs. */
  static String compare(Path kubectl, Path dir) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(kubectl.toString(), "kustomize", "--load-restrictor", "LoadRestrictionsNone",
        dir.toString()).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return "kubectl kustomize timed out";
    }
    String reference = new String(out, StandardCharsets.UTF_8);
    String built;
    try {
      built = Kustomizer.create().withLoadRestrictions(LoadRestrictions.NONE).build(dir).toYaml();
    } catch (KustomizeException e) {
      return p.exitValue() == 0 ? "build failed where kubectl kustomize succeeded: " + e.getMessage() : null;
    }
    if (p.exitValue() != 0) {
      return "kubectl kustomize failed (" + new String(err, StandardCharsets.UTF_8).trim() + ") but the build succeeded";
    }
    if (reference.equals(built)) {
      return null;
    }
    String[] a = reference.split("\n", -1);
    String[] b = built.split("\n", -1);
    for (int i = 0; i < Math.min(a.length, b.length); i++) {
      if (!a[i].equals(b[i])) {
        return "output differs at line " + (i + 1) + ": kubectl '" + a[i] + "', conflux '" + b[i] + "'";
      }
    }
    return "output differs in length: kubectl " + a.length + " lines, conflux " + b.length;
  }
}

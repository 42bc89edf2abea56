package io.conflux.kustomize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the kustomize loader through the module's public API ({@link Kustomizer#build(Path)} on an in-memory
 * Jimfs tree): mutated copies of the conformance cases' and the fixture repositories' trees (a kustomization or
 * resource file changed structurally — fields replaced, deleted, retyped, random YAML trees — or textually — bytes
 * flipped, YAML punctuation inserted, lines duplicated, truncated), and kustomizations generated from kustomize's
 * field names with random values. Every input must either build or fail with a {@link KustomizeException} whose
 * message names a file or directory of the tree (or the missing file it is about), within {@link #BOUND}; an unchecked exception wrapped by the
 * build's catch-all ({@code kustomize build of '...' failed: java.lang.NullPointerException}) counts as a failure.
 * <p>{@link #fuzz} is the Jazzer target: in the default build it replays the committed inputs in
 * {@code src/test/resources/io/conflux/kustomize/KustomizeFuzzTestInputs/fuzz/}; with {@code JAZZER_FUZZ} set
 * ({@code -Pfuzz}) it fuzzes coverage-guided. {@link #everyTreeBuildsOrFailsNamingAFile} runs the same property over
 * {@code fuzz.tries} seeded {@link Random}s (200; 10,000 with {@code -Pfuzz}).
 */
class KustomizeFuzzTest {
  /**
   * Time allowed to one build before it counts as a hang (an endless loop, an unbounded alias expansion). It bounds
   * liveness, not speed: builds of these inputs take milliseconds on a quiet machine, and a bound of a few seconds
   * failed under the load of parallel builds; speed is measured in {@code bench/}.
   */
  static final Duration BOUND = Duration.ofSeconds(60);

  private static final List<Tree> CORPUS = corpus();

  private static final List<String> FIELDS = List.of("resources", "bases", "components", "namespace", "namePrefix",
      "nameSuffix", "commonLabels", "labels", "commonAnnotations", "patches", "patchesStrategicMerge",
      "patchesJson6902", "images", "replicas", "configMapGenerator", "secretGenerator", "generatorOptions", "vars",
      "replacements", "transformers", "generators", "crds", "configurations", "openapi", "sortOptions",
      "buildMetadata", "helmCharts", "apiVersion", "kind", "metadata", "validators", "name", "path", "target",
      "patch", "options", "literals", "files", "envs", "behavior", "newName", "newTag", "digest", "count", "select",
      "fieldPaths", "source", "targets", "fieldPath", "objref", "fieldref", "group", "version", "labelSelector",
      "annotationSelector", "includeSelectors", "includeTemplates", "pairs", "order", "legacySortOptions",
      "orderFirst", "orderLast", "disableNameSuffixHash", "immutable", "type", "op", "value", "from", "spec");
  private static final List<String> TOKENS = List.of(":", ": ", "- ", "-", "&a ", "*a", "!!binary ", "!!str ",
      "!!map ", "{", "}", "[", "]", "'", "\"", "\t", "\n", "\n---\n", "%YAML 1.1\n", "? ", "|", ">", "#", "~",
      "<<: *a\n", "\u0000", "\uFEFF", "\\", "../", "/", "${VAR}", "$(VAR)", "=", "@", "%", "\r");

  /** Seeded tries of each property: the build's {@code fuzz.tries} (200; 10,000 with {@code -Pfuzz}). */
  static final int TRIES = Integer.getInteger("fuzz.tries", 200);
  /** Seed of the first try; try {@code i} uses {@code SEED + i}. */
  static final long SEED = 1106;

  /** A check of one input made from a seeded {@link Random}. */
  interface Try {
    void run(Random r) throws Exception;
  }

  /** Runs {@code check} over {@link #TRIES} seeded {@link Random}s; a failure names the seed that reproduces it. */
  static void tries(Try check) throws Exception {
    for (long seed = SEED; seed < SEED + TRIES; seed++) {
      try {
        check.run(new Random(seed));
      } catch (Exception | AssertionError e) {
        throw new AssertionError("try with java.util.Random seed " + seed + ": " + e.getMessage(), e);
      }
    }
  }

  @Test
  void everyTreeBuildsOrFailsNamingAFile() throws Exception {
    tries(r -> buildsOrFailsNamingAFile(tree(r)));
  }

  /**
   * The Jazzer target. The input's last byte picks the shape (mod 4) and the 8 bytes before it seed a {@link Random}:
   * 0 a mutated corpus tree, 1 a generated tree, 2 a corpus tree whose built {@code kustomization.yaml} is the
   * remaining bytes, 3 a corpus tree with another of its files replaced by the remaining bytes.
   */
  @FuzzTest(maxExecutions = 10_000)
  void fuzz(FuzzedDataProvider data) throws Exception {
    int shape = Math.floorMod(data.consumeByte(), 4);
    Random r = new Random(data.consumeLong());
    Tree tree = switch (shape) {
      case 0 -> mutate(CORPUS.get(r.nextInt(CORPUS.size())), r);
      case 1 -> generate(r);
      default -> replace(CORPUS.get(r.nextInt(CORPUS.size())), r, shape == 2, data.consumeRemainingAsBytes());
    };
    buildsOrFailsNamingAFile(tree);
  }

  /** {@code base} with one file (its built kustomization.yaml if {@code kustomization}) replaced by {@code content}. */
  static Tree replace(Tree base, Random r, boolean kustomization, byte[] content) {
    String file = kustomization ? kustomizationOf(base) : pick(base, r);
    Map<String, byte[]> files = new LinkedHashMap<>(base.files());
    files.put(file, content);
    return new Tree(files, base.buildDir(), base.how() + ": fuzzer bytes of " + file);
  }

  static void buildsOrFailsNamingAFile(Tree tree) throws IOException {
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
      Path root = fs.getPath("/repo");
      for (Map.Entry<String, byte[]> f : tree.files().entrySet()) {
        Path p = root.resolve(f.getKey());
        Files.createDirectories(p.getParent());
        Files.write(p, f.getValue());
      }
      Path dir = root.resolve(tree.buildDir()).normalize();
      Files.createDirectories(dir);
      try {
        ResourceList built = assertTimeoutPreemptively(BOUND, () -> Kustomizer.create().build(dir),
            () -> "build did not finish within " + BOUND + ": " + tree);
        assertThat(built.objects()).isNotNull();
        built.toYaml();
      } catch (KustomizeException e) {
        checkRejection(e, tree);
      }
    }
  }

  /**
   * YAML that is too deep, too aliased or too large (a kustomization or a resource nested thousands of levels, an
   * alias bomb, a long flow sequence) builds or is refused in time with a message naming the file (before the
   * bounds of {@code YamlBounds}: a StackOverflowError wrapped by the build's catch-all, and alias bombs that ran for a
   * minute and took gigabytes).
   */
  @Test
  void deepAliasedOrHugeYamlIsRefusedInTime() throws Exception {
    tries(r -> buildsOrFailsNamingAFile(bomb(r)));
  }

  /** A deep, aliased or huge YAML file as a kustomization or as its one resource. */
  static Tree bomb(Random r) {
    String text;
    String shape;
    boolean inKustomization = r.nextBoolean();
    switch (r.nextInt(3)) {
      case 0 -> {
        int depth = 500 + r.nextInt(20_000);
        boolean flow = r.nextBoolean();
        String body = flow ? "[".repeat(depth) + "]".repeat(depth) + "\n" : "\n" + "- ".repeat(depth) + "x\n";
        text = (inKustomization ? "resources: " : "apiVersion: v1\nkind: List\nitems: ") + body;
        shape = (flow ? "flow" : "block") + " nesting of depth " + depth;
      }
      case 1 -> {
        int width = 2 + r.nextInt(9);
        int levels = 2 + r.nextInt(9);
        StringBuilder b = new StringBuilder("a0: &a0 [" + "x, ".repeat(width - 1) + "x]\n");
        for (int i = 1; i < levels; i++) {
          b.append('a').append(i).append(": &a").append(i).append(" [")
              .append(("*a" + (i - 1) + ", ").repeat(width - 1)).append("*a").append(i - 1).append("]\n");
        }
        text = (inKustomization ? "metadata:\n  annotations:\n    " : "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\n  annotations:\n    ")
            + b.toString().replace("\n", "\n    ");
        shape = "alias bomb " + width + "x" + levels;
      }
      default -> {
        int n = 10_000 + r.nextInt(200_000);
        text = (inKustomization ? "commonLabels: {" : "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\n  labels: {")
            + "a: b, ".repeat(n) + "}\n";
        shape = "flow mapping of " + n + " entries";
      }
    }
    Map<String, byte[]> files = new LinkedHashMap<>();
    if (inKustomization) {
      files.put("kustomization.yaml", text.getBytes(StandardCharsets.UTF_8));
    } else {
      files.put("kustomization.yaml", "resources:\n- bomb.yaml\n".getBytes(StandardCharsets.UTF_8));
      files.put("bomb.yaml", text.getBytes(StandardCharsets.UTF_8));
    }
    return new Tree(files, ".", shape + " of " + (inKustomization ? "kustomization.yaml" : "bomb.yaml"));
  }

  /**
   * A rejection must name a file of the tree, and must not be the build's catch-all around an unchecked exception
   * (a NullPointerException, ClassCastException, IndexOutOfBoundsException, StackOverflowError... of the engine).
   */
  static void checkRejection(KustomizeException e, Tree tree) {
    Throwable cause = e.getCause();
    if (e.getMessage() != null && e.getMessage().startsWith("kustomize build of '") && cause != null
        && !(cause instanceof KustomizeException)) {
      throw new AssertionError("unchecked " + cause + " escaped the engine for " + tree, e);
    }
    assertThat(e.getMessage()).as("message of %s for %s", e, tree).isNotBlank();
    boolean namesTreeFile = tree.names().stream().anyMatch(e.getMessage()::contains);
    boolean namesItsFile = e.file().map(f -> f.getFileName() != null && e.getMessage().contains(f.getFileName().toString()))
        .orElse(false);
    assertThat(namesTreeFile || namesItsFile)
        .as("message '%s' names a file of %s or the file it is about", e.getMessage(), tree.files().keySet()).isTrue();
  }

  /** A tree of the seeded property: 8 in 10 a mutated corpus tree, else a generated one. */
  static Tree tree(Random r) {
    return r.nextInt(10) < 8 ? mutate(CORPUS.get(r.nextInt(CORPUS.size())), r) : generate(r);
  }

  /**
   * A tree to build.
   *
   * @param files relative path → content
   * @param buildDir the directory built, relative to the root
   * @param how the mutation applied, for the report
   */
  record Tree(Map<String, byte[]> files, String buildDir, String how) {
    /** File and directory names that a message may name. */
    List<String> names() {
      List<String> out = new ArrayList<>();
      for (String f : files.keySet()) {
        out.add(f);
        Path p = Path.of(f);
        for (Path part : p) {
          out.add(part.toString());
        }
      }
      out.add(buildDir);
      return out.stream().filter(s -> !s.isEmpty() && !s.equals(".")).distinct().toList();
    }

    @Override
    public String toString() {
      StringBuilder b = new StringBuilder("Tree[build " + buildDir + ", " + how + ", files " + files.keySet());
      String changed = how.contains(" of ") ? how.substring(how.lastIndexOf(" of ") + 4) : null;
      if (changed != null && files.containsKey(changed)) {
        String text = new String(files.get(changed), StandardCharsets.UTF_8);
        b.append(", ").append(changed).append(":\n").append(text, 0, Math.min(text.length(), 1500));
      }
      return b.append(']').toString();
    }
  }

  // ---- corpus: the conformance cases and the fixture repositories, read once

  private static List<Tree> corpus() {
    List<Tree> out = new ArrayList<>();
    Path cases = Path.of("../../shared/conformance/kustomize/cases");
    if (Files.isDirectory(cases)) {
      try (Stream<Path> s = Files.list(cases)) {
        for (Path c : s.filter(Files::isDirectory).sorted().toList()) {
          out.add(new Tree(read(c.resolve("input")), Files.readString(c.resolve("cmd")).trim(), "case " + c.getFileName()));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    Path repos = Path.of("../../shared/fixtures/repos");
    if (Files.isDirectory(repos)) {
      try (Stream<Path> s = Files.list(repos)) {
        for (Path repo : s.filter(Files::isDirectory).sorted().toList()) {
          Map<String, byte[]> files = read(repo);
          files.keySet().stream().filter(f -> f.endsWith("kustomization.yaml")).sorted().forEach(k -> {
            String dir = k.contains("/") ? k.substring(0, k.lastIndexOf('/')) : ".";
            out.add(new Tree(files, dir, "repo " + repo.getFileName() + "/" + dir));
          });
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    if (out.isEmpty()) {
      out.add(new Tree(Map.of("kustomization.yaml", "resources:\n- cm.yaml\n".getBytes(StandardCharsets.UTF_8),
          "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n".getBytes(StandardCharsets.UTF_8)),
          ".", "builtin"));
    }
    return List.copyOf(out);
  }

  private static Map<String, byte[]> read(Path dir) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path f : s.filter(Files::isRegularFile).toList()) {
        String rel = dir.relativize(f).toString();
        if (!rel.startsWith(".git/") && Files.size(f) < 256 * 1024) {
          files.put(rel, Files.readAllBytes(f));
        }
      }
    }
    return files;
  }

  // ---- generators

  /** The built directory's {@code kustomization.yaml} of {@code base}. */
  static String kustomizationOf(Tree base) {
    return (base.buildDir().equals(".") ? "" : base.buildDir() + "/") + "kustomization.yaml";
  }

  /** A file of {@code base} to change: 6 in 10 its built kustomization.yaml, else a YAML/env/JSON file. */
  static String pick(Tree base, Random r) {
    List<String> candidates = base.files().keySet().stream()
        .filter(f -> f.endsWith(".yaml") || f.endsWith(".yml") || f.endsWith("Kustomization") || f.endsWith(".env")
            || f.endsWith(".properties") || f.endsWith(".json"))
        .toList();
    String kustomization = kustomizationOf(base);
    return candidates.isEmpty() || base.files().containsKey(kustomization) && r.nextInt(10) < 6 ? kustomization
        : candidates.get(r.nextInt(candidates.size()));
  }

  /** One mutation of one file of a corpus tree. */
  static Tree mutate(Tree base, Random r) {
    List<String> candidates = base.files().keySet().stream()
        .filter(f -> f.endsWith(".yaml") || f.endsWith(".yml") || f.endsWith("Kustomization") || f.endsWith(".env")
            || f.endsWith(".properties") || f.endsWith(".json"))
        .toList();
    if (candidates.isEmpty()) {
      return base;
    }
    String file = pick(base, r);
    Map<String, byte[]> files = new LinkedHashMap<>(base.files());
    byte[] content = files.get(file);
    String how;
    switch (r.nextInt(4)) {
      case 0, 1 -> {
        how = "structural";
        content = structural(new String(content, StandardCharsets.UTF_8), r, base.files().keySet());
      }
      case 2 -> {
        how = "textual";
        content = textual(content, r);
      }
      default -> {
        how = "random tree";
        content = YamlTrees.dump(YamlTrees.kustomization(r, base.files().keySet(), FIELDS)).getBytes(StandardCharsets.UTF_8);
      }
    }
    files.put(file, content);
    return new Tree(files, base.buildDir(), base.how() + ": " + how + " of " + file);
  }

  /** A kustomization of random fields over a few random resource files. */
  static Tree generate(Random r) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    int n = r.nextInt(4);
    for (int i = 0; i < n; i++) {
      String name = (r.nextBoolean() ? "base/" : "") + "r" + i + ".yaml";
      Object doc = r.nextInt(3) == 0 ? YamlTrees.random(r, 4, FIELDS, List.of()) : YamlTrees.object(r);
      files.put(name, YamlTrees.dump(doc).getBytes(StandardCharsets.UTF_8));
    }
    if (r.nextBoolean()) {
      files.put("base/kustomization.yaml", YamlTrees.dump(YamlTrees.kustomization(r, files.keySet(), FIELDS))
          .getBytes(StandardCharsets.UTF_8));
    }
    files.put("kustomization.yaml", YamlTrees.dump(YamlTrees.kustomization(r, files.keySet(), FIELDS))
        .getBytes(StandardCharsets.UTF_8));
    return new Tree(files, ".", "generated: random tree of kustomization.yaml");
  }

  private static byte[] structural(String text, Random r, java.util.Set<String> names) {
    Object doc;
    try {
      List<Object> docs = new ArrayList<>();
      new org.snakeyaml.engine.v2.api.Load(org.snakeyaml.engine.v2.api.LoadSettings.builder().build())
          .loadAllFromString(text).forEach(docs::add);
      doc = docs.isEmpty() ? new LinkedHashMap<>() : docs.get(r.nextInt(docs.size()));
    } catch (RuntimeException notYaml) {
      return textual(text.getBytes(StandardCharsets.UTF_8), r);
    }
    int rounds = 1 + r.nextInt(3);
    for (int i = 0; i < rounds; i++) {
      doc = YamlTrees.mutate(doc, r, names, FIELDS);
    }
    return YamlTrees.dump(doc).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] textual(byte[] content, Random r) {
    StringBuilder s = new StringBuilder(new String(content, StandardCharsets.UTF_8));
    int rounds = 1 + r.nextInt(4);
    for (int i = 0; i < rounds; i++) {
      int at = s.length() == 0 ? 0 : r.nextInt(s.length());
      switch (r.nextInt(5)) {
        case 0 -> s.insert(at, TOKENS.get(r.nextInt(TOKENS.size())));
        case 1 -> s.delete(at, Math.min(s.length(), at + 1 + r.nextInt(20)));
        case 2 -> {
          int start = s.lastIndexOf("\n", at) + 1;
          int end = s.indexOf("\n", start);
          String line = s.substring(start, end < 0 ? s.length() : end);
          s.insert(start, line + "\n");
        }
        case 3 -> s.setLength(at);
        default -> {
          if (s.length() > 0) {
            s.setCharAt(at, (char) (32 + r.nextInt(95)));
          }
        }
      }
    }
    byte[] out = s.toString().getBytes(StandardCharsets.UTF_8);
    if (out.length > 0 && r.nextInt(8) == 0) {
      out[r.nextInt(out.length)] = (byte) r.nextInt(256);
    }
    return out;
  }
}

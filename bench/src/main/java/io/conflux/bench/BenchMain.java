package io.conflux.bench;

import io.conflux.kustomize.Kustomizer;
import io.conflux.kustomize.ResourceList;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * The benchmark of issue #3 in one run: the Java engine (JMH, warm JVM) against
 * {@code kubectl kustomize} (one process per build, as users run it) on every kustomization
 * directory under a fixtures folder plus a synthetic overlay of about 2,000 objects.
 *
 * <p>For each input it first builds once with both and compares the object counts (an input
 * kubectl cannot build, or whose counts differ, is skipped with a note), then times both and
 * prints a table with the ratio kubectl/java and the geometric mean of the ratios.
 *
 * <p>Usage: {@code BenchMain --kubectl=PATH --fixtures=DIR --work=DIR [--warmup=5] [--iterations=5]
 * [--iteration-seconds=1] [--forks=1] [--kubectl-runs=10] [--jmh-verbose] [--synthetic-only]}
 * ({@code --synthetic-only}: the synthetic overlay alone, no fixture). {@code run.sh} supplies
 * the paths. kubectl is run once untimed, then {@code kubectl-runs} times, or at least 3 times and
 * until 60 s of kubectl time have been spent on that input, whichever stops first.
 */
public final class BenchMain {
  private static final List<String> KUSTOMIZATION_FILES =
      List.of("kustomization.yaml", "kustomization.yml", "Kustomization");

  /** kubectl runs per input at least, however slow. */
  private static final int MIN_KUBECTL_RUNS = 3;
  /** Past this much kubectl time on one input (and {@link #MIN_KUBECTL_RUNS}), stop early. */
  private static final long KUBECTL_TIME_BUDGET_NANOS = TimeUnit.SECONDS.toNanos(60);

  private BenchMain() {}

  /** A measured input. */
  private record Row(String name, Path dir, int objects, boolean sameText, double javaMs, double kubectlMs) {
    double ratio() {
      return kubectlMs / javaMs;
    }
  }

  /** Output of one kubectl run. */
  private record Proc(int exit, String stdout, String stderr) {}

  /**
   * Runs the benchmark and prints the table.
   *
   * @param args {@code --key=value} options, see the class comment
   * @throws Exception when the harness itself fails
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> opts = parse(args);
    Path kubectl = Path.of(required(opts, "kubectl"));
    Path fixtures = Path.of(required(opts, "fixtures")).toAbsolutePath().normalize();
    Path work = Path.of(required(opts, "work")).toAbsolutePath().normalize();
    int warmup = Integer.parseInt(opts.getOrDefault("warmup", "5"));
    int iterations = Integer.parseInt(opts.getOrDefault("iterations", "5"));
    int iterationSeconds = Integer.parseInt(opts.getOrDefault("iteration-seconds", "1"));
    int forks = Integer.parseInt(opts.getOrDefault("forks", "1"));
    int kubectlRuns = Integer.parseInt(opts.getOrDefault("kubectl-runs", "10"));
    boolean jmhVerbose = opts.containsKey("jmh-verbose");
    boolean syntheticOnly = opts.containsKey("synthetic-only");

    SyntheticOverlay synthetic = SyntheticOverlay.standard();
    Path syntheticDir = synthetic.writeTo(work.resolve("synthetic"));
    System.out.printf(Locale.ROOT, "synthetic overlay: %s (%d objects expected)%n", syntheticDir, synthetic.expectedObjects());

    Map<String, Path> inputs = new java.util.LinkedHashMap<>();
    for (Path d : syntheticOnly ? List.<Path>of() : kustomizationDirs(fixtures)) {
      inputs.put(fixtures.relativize(d).toString(), d);
    }
    inputs.put("synthetic overlay", syntheticDir);

    List<Row> rows = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    Kustomizer kustomizer = Kustomizer.create();
    for (Map.Entry<String, Path> in : inputs.entrySet()) {
      String name = in.getKey();
      Path dir = in.getValue();
      Proc ref = kubectl(kubectl, dir, true);
      if (ref.exit() != 0) {
        notes.add(name + ": skipped, kubectl kustomize fails: " + firstLine(ref.stderr()));
        continue;
      }
      ResourceList java;
      try {
        java = kustomizer.build(dir);
      } catch (RuntimeException e) {
        notes.add(name + ": skipped, the Java engine fails: " + firstLine(String.valueOf(e.getMessage())));
        continue;
      }
      int kubectlObjects = countDocuments(ref.stdout());
      int javaObjects = java.objects().size();
      if (kubectlObjects != javaObjects) {
        notes.add(String.format(Locale.ROOT, "%s: skipped, object counts differ (java %d, kubectl %d)", name, javaObjects, kubectlObjects));
        continue;
      }
      boolean sameText = java.toYaml().equals(ref.stdout());
      System.out.printf(Locale.ROOT, "timing %s (%d objects)...%n", name, javaObjects);
      double javaMs = jmh(dir, warmup, iterations, iterationSeconds, forks, jmhVerbose);
      double kubectlMs = kubectlMean(kubectl, dir, kubectlRuns);
      rows.add(new Row(name, dir, javaObjects, sameText, javaMs, kubectlMs));
    }

    printTable(rows, notes);
    if (rows.stream().anyMatch(r -> r.dir().equals(syntheticDir))) {
      printHeap(kustomizer, syntheticDir);
    }
  }

  /** Every directory under {@code root} holding a kustomization file, sorted. */
  static List<Path> kustomizationDirs(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isDirectory)
          .filter(d -> !d.getFileName().toString().equals(".git"))
          .filter(d -> d.toString().indexOf("/.git/") < 0)
          .filter(d -> KUSTOMIZATION_FILES.stream().anyMatch(f -> Files.isRegularFile(d.resolve(f))))
          .sorted()
          .collect(Collectors.toList());
    }
  }

  /** Number of YAML documents in a {@code kustomize build} output stream. */
  static int countDocuments(String yaml) {
    if (yaml.isBlank()) {
      return 0;
    }
    int n = 1;
    for (String line : yaml.split("\n", -1)) {
      if (line.equals("---")) {
        n++;
      }
    }
    return yaml.startsWith("---\n") ? n - 1 : n;
  }

  private static double jmh(Path dir, int warmup, int iterations, int seconds, int forks, boolean verbose)
      throws RunnerException {
    Options o = new OptionsBuilder()
        .include(KustomizeBuildBenchmark.class.getName() + ".build$")
        .param("dir", dir.toString())
        .warmupIterations(warmup)
        .warmupTime(TimeValue.seconds(seconds))
        .measurementIterations(iterations)
        .measurementTime(TimeValue.seconds(seconds))
        .forks(forks)
        .threads(1)
        .shouldFailOnError(true)
        .verbosity(verbose ? VerboseMode.NORMAL : VerboseMode.SILENT)
        .build();
    Collection<RunResult> results = new Runner(o).run();
    if (results.size() != 1) {
      throw new IllegalStateException("expected one JMH result, got " + results.size());
    }
    RunResult r = results.iterator().next();
    String unit = r.getPrimaryResult().getScoreUnit();
    if (!unit.equals("ms/op")) {
      throw new IllegalStateException("unexpected JMH unit " + unit);
    }
    return r.getPrimaryResult().getScore();
  }

  private static double kubectlMean(Path kubectl, Path dir, int runs) throws IOException, InterruptedException {
    kubectl(kubectl, dir, false); // warm the page cache
    long total = 0;
    int n = 0;
    while (n < runs && (n < MIN_KUBECTL_RUNS || total < KUBECTL_TIME_BUDGET_NANOS)) {
      long t0 = System.nanoTime();
      Proc p = kubectl(kubectl, dir, false);
      total += System.nanoTime() - t0;
      n++;
      if (p.exit() != 0) {
        throw new IllegalStateException("kubectl kustomize " + dir + " failed while timing: exit " + p.exit());
      }
    }
    return total / 1e6 / n;
  }

  private static Proc kubectl(Path kubectl, Path dir, boolean capture) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(kubectl.toString(), "kustomize", dir.toString());
    if (!capture) {
      pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
      Process p = pb.start();
      return new Proc(p.waitFor(), "", "");
    }
    Process p = pb.start();
    p.getOutputStream().close();
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
    String out = readAll(p.getInputStream());
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("kubectl kustomize " + dir + " did not finish in 5 minutes");
    }
    return new Proc(p.exitValue(), out, err.join());
  }

  private static String readAll(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void printTable(List<Row> rows, List<String> notes) {
    int w = Math.max(5, rows.stream().mapToInt(r -> r.name().length()).max().orElse(5));
    String fmt = "%-" + w + "s  %7s  %14s  %17s  %7s  %s%n";
    System.out.println();
    System.out.printf(Locale.ROOT, fmt, "input", "objects", "java ms/build", "kubectl ms/build", "ratio", "same output");
    double logSum = 0;
    for (Row r : rows) {
      System.out.printf(Locale.ROOT, fmt, r.name(), r.objects(), String.format(Locale.ROOT, "%.3f", r.javaMs()),
          String.format(Locale.ROOT, "%.1f", r.kubectlMs()), String.format(Locale.ROOT, "%.1fx", r.ratio()),
          r.sameText() ? "yes" : "no");
      logSum += Math.log(r.ratio());
    }
    if (!rows.isEmpty()) {
      System.out.printf(Locale.ROOT, "%ngeometric mean ratio (kubectl/java) over %d inputs: %.1fx (target: >= 3x)%n",
          rows.size(), Math.exp(logSum / rows.size()));
    }
    for (String n : notes) {
      System.out.println("note: " + n);
    }
  }

  /**
   * Heap figures of one synthetic build in this JVM: the sum of the heap pools' peak usage after
   * a GC (an upper bound of the live peak, as young-generation garbage counts until collected)
   * and the bytes this thread allocated.
   */
  private static void printHeap(Kustomizer kustomizer, Path dir) {
    for (int i = 0; i < 3; i++) {
      kustomizer.build(dir).toYaml();
    }
    List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(p -> p.getType() == MemoryType.HEAP)
        .collect(Collectors.toList());
    System.gc();
    long before = pools.stream().mapToLong(p -> p.getUsage().getUsed()).sum();
    pools.forEach(MemoryPoolMXBean::resetPeakUsage);
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long allocated0 = threads.getCurrentThreadAllocatedBytes();
    String yaml = kustomizer.build(dir).toYaml();
    long allocated = threads.getCurrentThreadAllocatedBytes() - allocated0;
    long peak = pools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    System.gc();
    long after = pools.stream().mapToLong(p -> p.getUsage().getUsed()).sum();
    System.out.printf(Locale.ROOT,
        "java heap, synthetic overlay (one build, this JVM): peak %.0f MiB (%.0f MiB in use before), "
            + "allocated %.0f MiB, output %.1f MiB of YAML, %.0f MiB still held after GC%n",
        mib(peak), mib(before), mib(allocated), mib(yaml.length()), mib(Math.max(0, after - before)));
  }

  private static double mib(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }

  private static String firstLine(String s) {
    String t = s.strip();
    int nl = t.indexOf('\n');
    return nl < 0 ? t : t.substring(0, nl);
  }

  static Map<String, String> parse(String[] args) {
    Map<String, String> m = new HashMap<>();
    for (String a : args) {
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + a);
      }
      int eq = a.indexOf('=');
      m.put(eq < 0 ? a.substring(2) : a.substring(2, eq), eq < 0 ? "" : a.substring(eq + 1));
    }
    return m;
  }

  private static String required(Map<String, String> opts, String key) {
    String v = opts.get(key);
    if (v == null || v.isEmpty()) {
      throw new IllegalArgumentException("--" + key + "=... is required");
    }
    return v;
  }
}

package io.conflux.bench;

import io.conflux.kustomize.Kustomizer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH benchmark: one {@code kustomize build} of a directory with the Java engine, including the
 * YAML text that {@code kubectl kustomize} prints, so both sides do the same work. The directory
 * comes from the {@code dir} parameter, which {@link BenchMain} fills in.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class KustomizeBuildBenchmark {
  /** The kustomization directory to build (absolute path). */
  @Param("")
  public String dir;

  private Path path;
  private Kustomizer kustomizer;

  /** Resolves the parameter; fails the trial when it was not set. */
  @Setup
  public void setUp() {
    if (dir.isEmpty()) {
      throw new IllegalStateException("the 'dir' parameter is not set");
    }
    path = Path.of(dir);
    kustomizer = Kustomizer.create();
  }

  /**
   * Builds the directory and renders the output stream.
   *
   * @return the YAML stream (returned so that JMH keeps it alive)
   */
  @Benchmark
  public String build() {
    return kustomizer.build(path).toYaml();
  }
}

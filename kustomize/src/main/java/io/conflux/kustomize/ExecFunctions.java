package io.conflux.kustomize;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Permission, and the means, to run exec KRM functions: what {@code kustomize build --enable-alpha-plugins
 * --enable-exec} allows (follows kyaml/fn/runtime/exec/exec.go and api/internal/plugins/fnplugin of kustomize
 * v5.7). A {@code generators}/{@code transformers} entry whose {@code config.kubernetes.io/function} annotation holds
 * {@code exec: {path: …}} is run as a program: the {@code ResourceList} (kyaml's fn/framework protocol) on standard
 * input, the resulting stream on standard output, in the kustomization's directory. Given to a build with
 * {@link Kustomizer#withExecFunctions}; without it such entries fail the build naming the file.
 *
 * <p><b>Security.</b> This runs commands named by the kustomization: only for a user's own trees
 * ({@code conflux kustomize build}), never in the renderer or any service, where the kustomization is a tenant's.
 * Container functions ({@code container: {image: …}}) are always refused: Conflux has no container runtime.
 * Thread-safe and immutable.
 */
public final class ExecFunctions {
  private final Duration timeout;

  private ExecFunctions(Duration timeout) {
    this.timeout = timeout;
  }

  /**
   * Exec functions enabled, each run limited to {@code timeout} (kustomize has no limit; a bound keeps a stuck
   * function from hanging the build).
   *
   * @param timeout how long one function may run, positive
   * @return the permission
   */
  public static ExecFunctions enabled(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    return new ExecFunctions(timeout);
  }

  /**
   * Runs one program.
   *
   * @param program the executable (absolute)
   * @param args its arguments ({@code exec.args})
   * @param env extra {@code NAME=value} environment entries ({@code exec.env}), added to this process's environment
   * @param workingDir the directory it runs in (absolute; kustomize refuses {@code /})
   * @param stdin the bytes given on standard input
   * @return standard output
   * @throws KustomizeException when it cannot start, exits non-zero (with its standard error, at most 4 KiB) or
   *     exceeds the timeout; the message names the program
   */
  public byte[] run(Path program, List<String> args, List<String> env, Path workingDir, byte[] stdin) {
    Objects.requireNonNull(program, "program");
    if (!workingDir.isAbsolute() || workingDir.getParent() == null) {
      throw new KustomizeException("exec function " + program + ": working directory " + workingDir
          + " not allowed (relative or root)");
    }
    List<String> command = new ArrayList<>();
    command.add(program.toString());
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).directory(workingDir.toFile());
    Map<String, String> environment = pb.environment();
    for (String e : env) {
      int eq = e.indexOf('=');
      if (eq > 0) {
        environment.put(e.substring(0, eq), e.substring(eq + 1));
      }
    }
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new KustomizeException("couldn't execute function " + program + ": " + e.getMessage(), e);
    }
    CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
    CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
    try (OutputStream in = p.getOutputStream()) {
      in.write(stdin);
    } catch (IOException e) {
      // the program need not read its input (kustomize's own test generators do not)
    }
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new KustomizeException("couldn't execute function " + program + ": did not finish within " + timeout);
      }
      byte[] stdout = out.get();
      if (p.exitValue() != 0) {
        String stderr = new String(err.get(), StandardCharsets.UTF_8);
        if (stderr.length() > 4096) {
          stderr = stderr.substring(0, 4096) + "…";
        }
        throw new KustomizeException("couldn't execute function " + program + ": exit status " + p.exitValue()
            + (stderr.isBlank() ? "" : ": " + stderr.strip()));
      }
      return stdout;
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new BuildCancelledException("exec function " + program + " interrupted", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new KustomizeException("couldn't execute function " + program + ": " + e.getCause(), e);
    }
  }

  private static byte[] readAll(InputStream in) {
    try (in) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      in.transferTo(b);
      return b.toByteArray();
    } catch (IOException e) {
      return new byte[0];
    }
  }
}

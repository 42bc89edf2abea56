package io.conflux.kustomize;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A failed {@code kustomize build}. The message names the offending file (relative to the build
 * directory where possible) and, for syntax errors, the line and column, as in
 * {@code base/web-server.yaml:5:3: mapping values are not allowed here}.
 */
public class KustomizeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final int line;

  /** An error not tied to a file. */
  public KustomizeException(String message) {
    this(message, null, -1, null);
  }

  /** An error not tied to a file, with its cause. */
  public KustomizeException(String message, Throwable cause) {
    this(message, null, -1, cause);
  }

  /**
   * An error in {@code file} (may be null) at 1-based {@code line} (or -1 when unknown).
   * The message is used as given: callers put the file name and line into it.
   */
  public KustomizeException(String message, Path file, int line, Throwable cause) {
    super(message, cause);
    this.file = file;
    this.line = line;
  }

  /** The file the error is in, when known. */
  public Optional<Path> file() {
    return Optional.ofNullable(file);
  }

  /** The 1-based line of the error in {@link #file()}, when known. */
  public OptionalInt line() {
    return line > 0 ? OptionalInt.of(line) : OptionalInt.empty();
  }
}

package io.conflux.helm;

/**
 * The one error type of this library: a chart repository that cannot be reached or answers with an error,
 * a chart or version that does not exist, a chart that does not render, values that cannot be merged.
 *
 * <p>Messages are meant for a {@code HelmRelease}'s {@code Ready} condition and name what failed: the
 * repository URL, the chart and version range, the chart path, the values path.
 */
public final class HelmException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * @param message what failed, naming the chart, URL or file concerned
   */
  public HelmException(String message) {
    super(message);
  }

  /**
   * @param message what failed, naming the chart, URL or file concerned
   * @param cause the underlying I/O, parse or Helm error
   */
  public HelmException(String message, Throwable cause) {
    super(message, cause);
  }
}

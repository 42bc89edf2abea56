package io.conflux.kustomize;

/**
 * A build stopped because the thread running it was interrupted: the caller gave up waiting (Flux's
 * {@code spec.timeout} of a Kustomization), so the rest of the work is abandoned instead of running on in the
 * background. kustomize itself has no such bound (it is a CLI killed with its process); the checkpoints are
 * Conflux's. The thread's interrupt flag stays set.
 */
public class BuildCancelledException extends KustomizeException {
  private static final long serialVersionUID = 1L;

  /** @param where what the build was doing when it noticed, e.g. {@code base/web.yaml} or a transformer's name */
  public BuildCancelledException(String where) {
    super("build cancelled: it ran out of time and was stopped at " + where);
  }

  /**
   * @param where what the build was doing, e.g. the message of the read that the interruption broke off
   * @param cause that failure
   */
  public BuildCancelledException(String where, Throwable cause) {
    super("build cancelled: it ran out of time and was stopped at " + where, cause);
  }

  /**
   * A cooperative cancellation point: returns at once unless the current thread is interrupted.
   *
   * @param where what the build is doing, for the message (a file name or step), never a value
   * @throws BuildCancelledException when the current thread is interrupted
   */
  public static void checkpoint(String where) {
    if (Thread.currentThread().isInterrupted()) {
      throw new BuildCancelledException(where);
    }
  }
}

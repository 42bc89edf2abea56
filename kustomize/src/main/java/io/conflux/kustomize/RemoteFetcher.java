package io.conflux.kustomize;

import java.net.URI;
import java.nio.file.Path;

/**
 * Fetches what a kustomization names remotely: a repository ({@link RemoteTarget}, as a resource, component or
 * base) or a plain HTTP(S) file (a resource URL). Absent from a {@link Kustomizer} by default, so builds refuse
 * remote targets; {@link Kustomizer#withRemoteFetcher} turns them on (kustomize always fetches; Flux's
 * kustomize-controller does unless started with {@code --no-remote-bases}).
 *
 * <p>Implementations bound the time and the bytes of each fetch and fail with a {@link KustomizeException} naming
 * the target (never a credential) when a bound is passed or the remote refuses. They must be thread-safe.
 */
public interface RemoteFetcher {

  /**
   * Clones {@code target}'s repository at its ref (the remote's default branch when empty), with submodules when it
   * asks for them, into {@code into}, an empty directory the build owns and deletes afterwards.
   *
   * @param target the parsed remote root
   * @param into an empty directory on the default file system
   * @throws KustomizeException when the clone fails or passes a bound
   */
  void cloneInto(RemoteTarget target, Path into);

  /**
   * Fetches a file by HTTP(S) GET.
   *
   * @param url an {@code http} or {@code https} URL
   * @return the body
   * @throws HttpStatusException when the server answers outside 2xx (kustomize then tries the URL as a repository
   *     when it parses as one, and fails otherwise)
   * @throws KustomizeException when the transfer fails or passes a bound
   */
  byte[] fetchFile(URI url);

  /** A non-2xx answer to {@link #fetchFile}: kustomize's {@code ErrHTTP}. */
  final class HttpStatusException extends KustomizeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    /**
     * @param url the URL asked for (shown without user info or query)
     * @param status the HTTP status code
     */
    public HttpStatusException(URI url, int status) {
      super("HTTP request to " + url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
          + url.getPath() + " failed: status code " + status);
      this.status = status;
    }

    /** The HTTP status code. */
    public int status() {
      return status;
    }
  }
}

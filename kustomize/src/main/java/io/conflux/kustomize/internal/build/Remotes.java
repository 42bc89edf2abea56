package io.conflux.kustomize.internal.build;

import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.RemoteFetcher;
import io.conflux.kustomize.RemoteTarget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;

/**
 * The remote targets of one build: a {@link RemoteFetcher}, a temporary directory holding the clones, and each
 * clone made once per build (by URL and ref), deleted by {@link #close()}. Not thread-safe: one build, one thread.
 */
public final class Remotes implements AutoCloseable {
  /** Clones one build may make, so a kustomization cannot fan out without bound. */
  static final int MAX_CLONES = 64;

  private final RemoteFetcher fetcher;
  private final Map<String, Path> clones = new HashMap<>();
  private Path tmp;

  /** @param fetcher what fetches; the build's remote targets go through it */
  public Remotes(RemoteFetcher fetcher) {
    this.fetcher = fetcher;
  }

  /**
   * The clone of {@code target}'s repository, made on first use.
   *
   * @return the clone's top directory (the kustomization is {@code target.path()} below it)
   * @throws KustomizeException when the clone fails or the build made {@value #MAX_CLONES} clones already
   */
  Path clone(RemoteTarget target) {
    String key = target.cloneUrl() + "\n" + target.ref() + "\n" + target.submodules();
    Path existing = clones.get(key);
    if (existing != null) {
      return existing;
    }
    if (clones.size() >= MAX_CLONES) {
      throw new KustomizeException("remote '" + target.raw() + "': the build already cloned " + MAX_CLONES
          + " repositories");
    }
    try {
      if (tmp == null) {
        tmp = Files.createTempDirectory("conflux-kustomize-remote-");
      }
      Path into = Files.createDirectory(tmp.resolve("repo-" + clones.size()));
      fetcher.cloneInto(target, into);
      clones.put(key, into.toRealPath());
      return into.toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException("temporary directory for remote '" + target.raw() + "'", e);
    }
  }

  /**
   * An HTTP(S) file.
   *
   * @throws RemoteFetcher.HttpStatusException on a non-2xx answer
   * @throws KustomizeException when the URL is invalid or the transfer fails
   */
  byte[] file(String url) {
    try {
      return fetcher.fetchFile(new URI(url));
    } catch (URISyntaxException e) {
      throw new KustomizeException("invalid URL '" + url + "': " + e.getReason());
    }
  }

  /** Deletes the clones. */
  @Override
  public void close() {
    if (tmp == null) {
      return;
    }
    try {
      Files.walkFileTree(tmp, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.delete(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
          Files.delete(dir);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      // best effort: a leftover temporary directory must not fail a finished build
    }
    tmp = null;
  }
}

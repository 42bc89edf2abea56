package io.conflux.kustomize;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The remote files and repositories of a generated conformance case, served offline (vendored from the kustomize
 * snapshot by {@code conformance/krusty_cases.py}): {@code remote/http.tsv} maps each URL the case's kustomizations
 * name to a file under {@code remote/}, a URL not listed answers 404, as a missing file would;
 * {@code remote/git.tsv} maps a repository ({@code host/org/repo}) and ref to a directory under {@code remote/} holding
 * the tree at that ref (the part the case reaches), which a clone copies, so the build's remote-root code runs as on a
 * real clone. A repository or ref not listed fails the clone naming the target.
 *
 * @param dir the case's {@code remote} directory
 */
record VendoredRemotes(Path dir) implements RemoteFetcher {

  private Map<String, Path> files() {
    Map<String, Path> out = new HashMap<>();
    if (!Files.exists(dir.resolve("http.tsv"))) {
      return out;
    }
    try {
      for (String line : Files.readAllLines(dir.resolve("http.tsv"))) {
        String[] cols = line.split("\t");
        if (cols.length == 2) {
          out.put(cols[0], dir.resolve(cols[1]));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  @Override
  public void cloneInto(RemoteTarget target, Path into) {
    Path tree = repository(target);
    if (tree == null) {
      throw new KustomizeException("remote target '" + target.raw() + "': no repository is vendored for this case");
    }
    try (java.util.stream.Stream<Path> s = Files.walk(tree)) {
      for (Path p : s.toList()) {
        Path to = into.resolve(tree.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The vendored tree of a target: {@code git.tsv}'s row for its host name and repository path (without
   * {@code .git}; https, ssh and scp-like forms name the same repository) and ref; null when none.
   */
  Path repository(RemoteTarget target) {
    Path tsv = dir.resolve("git.tsv");
    if (!Files.exists(tsv)) {
      return null;
    }
    String host = target.host().replaceFirst("^[a-z]+://", "").replaceFirst("^[^@/]+@", "").replaceAll("[/:]$", "");
    String repo = host + "/" + target.repoPath().replaceFirst("\\.git$", "");
    try {
      for (String line : Files.readAllLines(tsv)) {
        String[] cols = line.split("\t");
        if (cols.length == 3 && cols[0].equals(repo) && cols[1].equals(target.ref())) {
          return dir.resolve(cols[2]);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return null;
  }

  @Override
  public byte[] fetchFile(URI url) {
    Path f = files().get(url.toString());
    if (f == null) {
      throw new HttpStatusException(url, 404);
    }
    try {
      return Files.readAllBytes(f);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

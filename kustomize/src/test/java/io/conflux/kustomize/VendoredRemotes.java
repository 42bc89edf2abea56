package io.conflux.kustomize;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The remote files of a generated conformance case, served offline: {@code remote/http.tsv} maps each URL the case's
 * kustomizations name to a file under {@code remote/} (vendored from the kustomize snapshot by
 * {@code conformance/krusty_cases.py}); a URL not listed answers 404, as a missing file would. Repositories are not
 * vendored: a clone fails naming the target.
 *
 * @param dir the case's {@code remote} directory
 */
record VendoredRemotes(Path dir) implements RemoteFetcher {

  private Map<String, Path> files() {
    Map<String, Path> out = new HashMap<>();
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
    throw new KustomizeException("remote target '" + target.raw() + "': no repository is vendored for this case");
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

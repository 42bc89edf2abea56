package io.conflux.kustomize.internal.build;

import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.LoadRestrictions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Reads the files of one kustomization directory through {@link java.nio.file.Path} only,
 * enforcing the load restrictor (follows api/loader/fileloader.go and loadrestrictions.go).
 * Remote targets (URLs, git specs) are refused unless the build has {@link Remotes}; a kustomization inside a clone
 * reads only files in or below its own directory and references only directories inside the clone, whatever the
 * build's restrictions (fileloader.go newLoaderAtGitClone: "clones never allowed to escape root").
 */
public final class Loader {
  private static final Pattern REMOTE = Pattern.compile(
      "^(https?://|git::|git@|ssh://|file://|s3::|gcs::|hg::|github\\.com/|gitlab\\.com/|bitbucket\\.org/).*");

  private final Path root;
  private final Path buildRoot;
  private final LoadRestrictions restrictions;
  /** The build's remote targets, or null when remote targets are refused. */
  private final Remotes remotes;
  /** The clone this kustomization lies in, or null for a local one. */
  private final Path clone;
  /** The target this clone was made for (for messages), or null for a local one. */
  private final String cloneOf;
  /** The origin lines of this clone's repository ({@code repo:}, {@code ref:}), empty for a local kustomization. */
  private final String originRepo;

  /**
   * @param root the kustomization directory this loader reads for
   * @param buildRoot the directory the build started in, for readable names in messages
   */
  public Loader(Path root, Path buildRoot, LoadRestrictions restrictions) {
    this(root, buildRoot, restrictions, null, null, null, "");
  }

  /**
   * @param root the kustomization directory this loader reads for
   * @param buildRoot the directory the build started in, for readable names in messages
   * @param remotes the build's remote targets, or null to refuse them
   */
  public Loader(Path root, Path buildRoot, LoadRestrictions restrictions, Remotes remotes) {
    this(root, buildRoot, restrictions, remotes, null, null, "");
  }

  private Loader(Path root, Path buildRoot, LoadRestrictions restrictions, Remotes remotes, Path clone,
      String cloneOf, String originRepo) {
    this.root = normalize(root);
    this.buildRoot = normalize(buildRoot);
    this.restrictions = restrictions;
    this.remotes = remotes;
    this.clone = clone;
    this.cloneOf = cloneOf;
    this.originRepo = originRepo;
  }

  /**
   * A loader for another kustomization directory, same build root and restrictions.
   *
   * @throws KustomizeException when this kustomization is in a clone and {@code dir} is not inside it
   */
  public Loader child(Path dir) {
    Loader l = new Loader(dir, buildRoot, restrictions, remotes, clone, cloneOf, originRepo);
    if (clone != null && !l.root.startsWith(clone)) {
      throw new KustomizeException("base '" + display(dir) + "' is outside of the repository cloned for '" + cloneOf
          + "'");
    }
    return l;
  }

  /** True when the build fetches remote targets. */
  public boolean fetchesRemotes() {
    return remotes != null;
  }

  /**
   * A loader for the kustomization of a remote repository (cloned once per build): root-only, confined to the clone.
   *
   * @throws KustomizeException when remote targets are refused, the target does not parse, the clone fails, or the
   *     path in the repository is not a directory
   */
  public Loader remoteChild(String target) {
    if (remotes == null) {
      resolve(target);
    }
    io.conflux.kustomize.RemoteTarget t;
    try {
      t = io.conflux.kustomize.RemoteTarget.parseOrThrow(target);
    } catch (IllegalArgumentException e) {
      throw new KustomizeException(display(root.resolve("kustomization.yaml")) + ": remote target '" + target
          + "': " + e.getMessage());
    }
    Path top = remotes.clone(t);
    Path dir = top.resolve(t.path()).normalize();
    if (!Files.isDirectory(dir)) {
      throw new KustomizeException("remote target '" + target + "': '" + (t.path().isEmpty() ? "." : t.path())
          + "' is not a directory in the repository");
    }
    Loader l = new Loader(dir, buildRoot, LoadRestrictions.ROOT_ONLY, remotes, normalize(top), target,
        "repo: " + t.cloneUrl() + "\n" + (t.ref().isEmpty() ? "" : "ref: " + t.ref() + "\n"));
    if (!l.root.startsWith(normalize(top))) {
      throw new KustomizeException("remote target '" + target + "': its path leaves the repository");
    }
    return l;
  }

  /**
   * The body of an HTTP(S) resource URL.
   *
   * @throws io.conflux.kustomize.RemoteFetcher.HttpStatusException on a non-2xx answer
   * @throws KustomizeException when remote targets are refused or the transfer fails
   */
  public byte[] remoteFile(String url) {
    if (remotes == null) {
      resolve(url);
    }
    return remotes.file(url);
  }

  /** The kustomization directory, absolute and normalized. */
  public Path root() {
    return root;
  }

  /** The directory the build started in. */
  public Path buildRoot() {
    return buildRoot;
  }

  private static Path normalize(Path p) {
    Path abs = p.toAbsolutePath().normalize();
    try {
      return abs.toRealPath();
    } catch (IOException e) {
      return abs;
    }
  }

  /** True for remote targets kustomize would fetch (URLs, git specs). */
  public static boolean isRemote(String target) {
    return REMOTE.matcher(target).matches() || io.conflux.kustomize.RemoteTarget.looksRemote(target);
  }

  /** Resolves a path of the kustomization (relative to its directory). */
  public Path resolve(String relative) {
    if (isRemote(relative)) {
      throw new KustomizeException(display(root.resolve("kustomization.yaml")) + ": remote resource '" + relative
          + "' is not supported: " + (remotes == null
              ? "this build does not fetch remote targets (Kustomizer.withRemoteFetcher; `conflux kustomize build` "
                  + "fetches them, the renderer only with conflux.renderer.kustomize.remote-bases=true)"
              : "only resources, components and bases may be remote"));
    }
    try {
      return root.getFileSystem().getPath(relative).isAbsolute()
          ? root.getFileSystem().getPath(relative).normalize()
          : root.resolve(relative).normalize();
    } catch (java.nio.file.InvalidPathException e) {
      throw new KustomizeException(display(root.resolve("kustomization.yaml")) + ": invalid path: " + e.getReason(),
          root, -1, e);
    }
  }

  /** A path as shown in messages: relative to the build root when below it, or named after its remote target. */
  public String display(Path p) {
    Path n = p.toAbsolutePath().normalize();
    if (clone != null && n.startsWith(clone)) {
      String rel = clone.relativize(n).toString();
      return cloneOf + " (" + (rel.isEmpty() ? "." : rel) + ")";
    }
    try {
      String rel = buildRoot.relativize(n).toString();
      return rel.isEmpty() ? "." : rel;
    } catch (IllegalArgumentException e) {
      return n.toString();
    }
  }

  /**
   * The origin annotation's repository lines of this kustomization (kustomize's resource.Origin {@code repo}, the
   * clone URL, and {@code ref} when the target names one), each ending in a newline; empty for a local one.
   */
  public String originRepo() {
    return originRepo;
  }

  /**
   * A path as kustomize writes it in origin annotations: relative to the build root, or inside a remote root relative
   * to the top of its repository.
   */
  public String relativeToBuildRoot(Path p) {
    Path n = p.toAbsolutePath().normalize();
    if (clone != null && n.startsWith(clone)) {
      return clone.relativize(n).toString();
    }
    try {
      return buildRoot.relativize(p.toAbsolutePath().normalize()).toString();
    } catch (IllegalArgumentException e) {
      return p.toString();
    }
  }

  /**
   * Reads a file of this kustomization as UTF-8 text.
   *
   * @throws KustomizeException when the file is missing, unreadable, or outside the root under
   *     {@link LoadRestrictions#ROOT_ONLY}
   */
  public String readText(String relative) {
    Path p = checkedFile(relative);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(p);
    } catch (IOException e) {
      throw new KustomizeException(display(p) + ": " + e.getMessage(), p, -1, e);
    }
    return decodeUtf8(bytes, p);
  }

  /**
   * Decodes a file's bytes as strict UTF-8, as go-yaml's reader does: invalid bytes are refused (kustomize:
   * "MalformedYAMLError: yaml: invalid leading UTF-8 octet"), never replaced by U+FFFD.
   *
   * @throws KustomizeException naming the file and the line of the first invalid byte, never the bytes
   */
  public String decodeUtf8(byte[] bytes, Path p) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(in)
          .toString();
    } catch (CharacterCodingException e) {
      int line = 1;
      for (int i = 0; i < in.position(); i++) {
        if (bytes[i] == '\n') {
          line++;
        }
      }
      throw new KustomizeException(display(p) + ":" + line + ": MalformedYAMLError: invalid UTF-8 (byte offset "
          + in.position() + "): kustomize reads only UTF-8 text", p, line, e);
    }
  }

  /** Reads a file of this kustomization as bytes, with the same checks as {@link #readText}. */
  public byte[] readBytes(String relative) {
    Path p = checkedFile(relative);
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new KustomizeException(display(p) + ": " + e.getMessage(), p, -1, e);
    }
  }

  /** The checked path of a file of this kustomization. */
  public Path checkedFile(String relative) {
    Path p = resolve(relative);
    if (!Files.exists(p)) {
      throw new KustomizeException("file '" + display(p) + "' not found (referenced from "
          + display(root) + ")", p, -1, new NoSuchFileException(p.toString()));
    }
    if (Files.isDirectory(p)) {
      // not located in p: the error is in the kustomization naming it, which KustTarget puts in front
      throw new KustomizeException("'" + display(p) + "' is a directory, expected a file");
    }
    if (restrictions == LoadRestrictions.ROOT_ONLY || clone != null) {
      Path real = normalize(p);
      if (!real.startsWith(root)) {
        throw new KustomizeException("security; file '" + display(real) + "' is not in or below '"
            + root + "' (load restrictor LoadRestrictionsRootOnly)", p, -1, null);
      }
    }
    return p;
  }

  /** True when the path names a directory. */
  public boolean isDirectory(String relative) {
    return Files.isDirectory(resolve(relative));
  }
}

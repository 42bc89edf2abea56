package io.conflux.kustomize;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A remote kustomization root as kustomize v5.7 parses it (follows api/internal/git/repospec.go
 * NewRepoSpecFromURL; the parsing is re-implemented, not copied): {@code [git::]<scheme><user@><host><sep><repo>[//path][?query]}.
 *
 * <ul>
 *   <li>Schemes {@code https://}, {@code http://}, {@code ssh://}, {@code file://}; none for scp-like
 *       {@code user@host:org/repo} and for {@code github.com/org/repo}, which becomes {@code https://github.com/}
 *       (or {@code git@github.com:} with a user or {@code ssh://}). A leading {@code git::} is dropped.</li>
 *   <li>The repository is the part up to {@code _git/<name>}, {@code //}, {@code .git}, or else the first two path
 *       segments ({@code org/repo}; all of it for {@code file://}); the rest is the path of the kustomization in the
 *       repository, which may not climb out of it.</li>
 *   <li>Query: {@code ref} (or {@code version}) — a branch, tag or commit, empty for the default branch;
 *       {@code timeout} — whole seconds or a Go duration ({@code 90s}, {@code 2m}), default 27 s;
 *       {@code submodules} — a boolean, default true. Unparsable values keep the default, as in kustomize.</li>
 * </ul>
 *
 * @param raw the target as written in the kustomization
 * @param host scheme, user and host with their separator, e.g. {@code https://github.com/}, {@code git@github.com:}
 * @param repoPath the repository's path on the host, e.g. {@code kubernetes-sigs/kustomize}
 * @param path the kustomization directory inside the repository, relative, empty for the root
 * @param ref the branch, tag or commit to check out, empty for the remote's default branch
 * @param timeout bound of the clone, positive
 * @param submodules whether submodules are cloned too
 */
public record RemoteTarget(String raw, String host, String repoPath, String path, String ref, Duration timeout,
    boolean submodules) {

  /** kustomize's default clone timeout (repospec.go defaultTimeout). */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(27);

  private static final Pattern USER = Pattern.compile("^([a-zA-Z][a-zA-Z0-9-]*)@");
  private static final Pattern SCP_LIKE = Pattern.compile("^[a-zA-Z][a-zA-Z0-9-]*@[^/:]+[:/].+");
  private static final Pattern GO_DURATION = Pattern.compile("^(\\d+(?:\\.\\d+)?)(ms|s|m|h)$");

  /** The URL to clone: {@code host + repoPath}, e.g. {@code https://github.com/kubernetes-sigs/kustomize}. */
  public String cloneUrl() {
    return host + repoPath;
  }

  /**
   * True when {@code target} names a remote file or repository rather than a local path: a URL with a scheme,
   * {@code git::}, scp-like {@code user@host:}, or a known forge host ({@code github.com/}, {@code gitlab.com/},
   * {@code bitbucket.org/}).
   */
  public static boolean looksRemote(String target) {
    String t = target.toLowerCase(Locale.ROOT);
    return t.contains("://") || t.startsWith("git::") || t.startsWith("github.com/") || t.startsWith("github.com:")
        || t.startsWith("gitlab.com/") || t.startsWith("bitbucket.org/") || t.contains("?ref=")
        || SCP_LIKE.matcher(target).matches();
  }

  /** True for an {@code http://} or {@code https://} URL, which kustomize first tries as a plain file. */
  public static boolean isHttpUrl(String target) {
    String t = target.toLowerCase(Locale.ROOT);
    return t.startsWith("http://") || t.startsWith("https://");
  }

  /**
   * Parses a remote root.
   *
   * @return the target, or empty when {@code target} is not a repository kustomize could clone
   * @see #parseOrThrow(String)
   */
  public static Optional<RemoteTarget> parse(String target) {
    try {
      return Optional.of(parseOrThrow(target));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * Parses a remote root.
   *
   * @throws IllegalArgumentException with kustomize's reason ("failed to parse scheme", "unsupported scheme",
   *     "failed to parse host segment", "failed to parse repo path segment", "url path exits repo")
   */
  public static RemoteTarget parseOrThrow(String target) {
    if (target.startsWith("/")) {
      throw new IllegalArgumentException("uri looks like abs path: " + target);
    }
    int q = target.indexOf('?');
    String n = q < 0 ? target : target.substring(0, q);
    String query = q < 0 ? "" : target.substring(q + 1);
    String ref = "";
    String version = "";
    Duration timeout = DEFAULT_TIMEOUT;
    boolean submodules = true;
    for (String kv : query.split("&")) {
      if (kv.isEmpty()) {
        continue;
      }
      int eq = kv.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
      switch (k) {
        case "ref" -> ref = ref.isEmpty() ? v : ref;
        case "version" -> version = version.isEmpty() ? v : version;
        case "timeout" -> timeout = timeout(v);
        case "submodules" -> submodules = switch (v.toLowerCase(Locale.ROOT)) {
          case "1", "t", "true" -> true;
          case "0", "f", "false" -> false;
          default -> submodules;
        };
        default -> { }
      }
    }
    if (ref.isEmpty()) {
      ref = version;
    }
    if (n.regionMatches(true, 0, "git::", 0, 5)) {
      n = n.substring(5);
    }
    String scheme = "";
    for (String s : new String[] {"ssh://", "https://", "http://", "file://"}) {
      if (n.regionMatches(true, 0, s, 0, s.length())) {
        scheme = s;
        n = n.substring(s.length());
        break;
      }
    }
    String user = "";
    Matcher um = USER.matcher(n);
    if (um.find()) {
      user = um.group(1) + "@";
      n = n.substring(user.length());
    }
    String lower = n.toLowerCase(Locale.ROOT);
    boolean github = lower.startsWith("github.com/") || lower.startsWith("github.com:");
    boolean scp = scheme.isEmpty() && (!user.isEmpty() || github);
    if (scheme.isEmpty() && !scp) {
      throw new IllegalArgumentException("failed to parse scheme");
    }
    String host;
    String rest;
    if (scheme.equals("file://")) {
      host = scheme;
      rest = user + n;
    } else {
      int sep = n.indexOf('/');
      if (scp) {
        int colon = n.indexOf(':');
        if (sep == -1 || colon > 0 && colon < sep) {
          sep = colon;
        }
      }
      host = sep >= 0 ? n.substring(0, sep + 1) : n;
      rest = sep >= 0 ? n.substring(sep + 1) : "";
      if (github) {
        if (scheme.equals("ssh://") || !user.isEmpty()) {
          scheme = "";
          host = "github.com:";
        } else {
          scheme = "https://";
          user = "";
          host = "github.com/";
        }
      }
      if (host.isEmpty()) {
        throw new IllegalArgumentException("failed to parse host segment");
      }
      host = scheme + user + host;
    }
    String repoPath;
    String path;
    int gitRoot = rest.indexOf("_git/");
    int slashes = rest.indexOf("//");
    int dotGit = rest.indexOf(".git");
    if (gitRoot >= 0) {
      String after = rest.substring(gitRoot + 5);
      int s = after.indexOf('/');
      repoPath = rest.substring(0, gitRoot + 5) + (s < 0 ? after : after.substring(0, s));
      path = s < 0 ? "" : after.substring(s + 1);
    } else if (slashes >= 0) {
      repoPath = rest.substring(0, slashes);
      path = rest.substring(slashes + 2);
    } else if (dotGit >= 0) {
      repoPath = rest.substring(0, dotGit + 4);
      path = rest.substring(dotGit + 4);
    } else if (host.equals("file://")) {
      repoPath = rest;
      path = "";
    } else {
      String[] seg = rest.split("/", -1);
      if (seg.length < 2) {
        throw new IllegalArgumentException("failed to parse repo path segment");
      }
      repoPath = seg[0] + "/" + seg[1];
      path = String.join("/", java.util.Arrays.copyOfRange(seg, 2, seg.length));
    }
    if (repoPath.isEmpty()) {
      throw new IllegalArgumentException("failed to parse repo path segment");
    }
    String cleaned = java.nio.file.Path.of("/" + path).normalize().toString();
    if (pathExitsRepo(path)) {
      throw new IllegalArgumentException("url path exits repo: " + target);
    }
    while (path.startsWith("/")) {
      path = path.substring(1);
    }
    return new RemoteTarget(target, host, repoPath, cleaned.equals("/") ? "" : path, ref, timeout, submodules);
  }

  private static boolean pathExitsRepo(String path) {
    int depth = 0;
    for (String s : path.split("/")) {
      if (s.equals("..")) {
        if (--depth < 0) {
          return true;
        }
      } else if (!s.isEmpty() && !s.equals(".")) {
        depth++;
      }
    }
    return false;
  }

  private static Duration timeout(String v) {
    try {
      int seconds = Integer.parseInt(v);
      return seconds > 0 ? Duration.ofSeconds(seconds) : DEFAULT_TIMEOUT;
    } catch (NumberFormatException e) {
      Matcher m = GO_DURATION.matcher(v);
      if (!m.matches()) {
        return DEFAULT_TIMEOUT;
      }
      double amount = Double.parseDouble(m.group(1));
      long millis = (long) (amount * switch (m.group(2)) {
        case "ms" -> 1;
        case "s" -> 1_000;
        case "m" -> 60_000;
        default -> 3_600_000;
      });
      return millis > 0 ? Duration.ofMillis(millis) : DEFAULT_TIMEOUT;
    }
  }
}

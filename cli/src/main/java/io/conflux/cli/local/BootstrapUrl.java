package io.conflux.cli.local;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code conflux up --repo PATH|URL} bootstraps from: the URL the bootstrap GitRepository names, its name, and the
 * operator rewrite a local repository needs. A GitRepository may only name http, https and ssh URLs (Flux's CRD
 * pattern; the services refuse the others), so a local path or {@code file://} URL becomes
 * {@code https://git.conflux.local/<name>} with the rewrite {@code https://git.conflux.local/<name>=file://<path>}
 * (the operator's {@code conflux.git.url-rewrites}); an scp-like address {@code user@host:path} becomes
 * {@code ssh://user@host/path}; any other URL is taken as it is.
 *
 * @param url      the URL the GitRepository names
 * @param name     the GitRepository's name: the repository's last path segment, lower case, {@code .git} dropped
 * @param rewrites insteadOf prefix → base to add to the operator's rewrites; empty for a remote URL
 */
public record BootstrapUrl(String url, String name, Map<String, String> rewrites) {
    /** The URL prefix local repositories are named under. */
    public static final String LOCAL_PREFIX = "https://git.conflux.local/";
    private static final Pattern SCP_LIKE = Pattern.compile("^([^/@:]+@[^/:]+):(.*)$");

    /**
     * @param repo the {@code --repo} argument: a local path, a {@code file://} URL, an scp-like address or a URL
     * @throws IllegalArgumentException when {@code repo} is blank
     */
    public static BootstrapUrl of(String repo) {
        if (repo == null || repo.isBlank()) {
            throw new IllegalArgumentException("--repo is empty");
        }
        Matcher scp = SCP_LIKE.matcher(repo);
        if (!repo.contains("://") && scp.matches()) {
            String url = "ssh://" + scp.group(1) + "/" + scp.group(2).replaceFirst("^/+", "");
            return new BootstrapUrl(url, name(URI.create(url).getPath()), Map.of());
        }
        if (repo.contains("://") && !repo.regionMatches(true, 0, "file://", 0, 7)) {
            return new BootstrapUrl(repo, name(URI.create(repo).getPath()), Map.of());
        }
        Path dir = repo.contains("://") ? Path.of(URI.create(repo)) : Path.of(repo).toAbsolutePath();
        dir = dir.normalize();
        String name = name(dir.toString());
        String url = LOCAL_PREFIX + name;
        return new BootstrapUrl(url, name, Map.of(url, dir.toUri().toString().replaceFirst("/$", "")));
    }

    private static String name(String path) {
        String last = path == null ? "" : path.replaceFirst("/+$", "").replaceAll(".*/", "").replaceFirst("\\.git$", "");
        String name = last.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("^-+|-+$", "");
        return name.isEmpty() ? "flux-system" : name;
    }
}

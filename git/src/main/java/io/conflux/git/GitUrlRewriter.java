package io.conflux.git;

import java.util.Map;
import java.util.TreeMap;

/**
 * Rewrites repository URLs the way git's {@code url.<base>.insteadOf = <prefix>} does: a URL starting with
 * {@code <prefix>} has that prefix replaced by {@code <base>}; when several prefixes match, the longest wins
 * (git-config(1), "url.&lt;base&gt;.insteadOf"). Used so that manifests naming {@code https://github.com/...}
 * work against local mirrors on an air-gapped site, and by {@code conflux up} and the tests, whose GitRepositories
 * name {@code https://git.conflux.local/<repo>} rewritten to a local directory.
 *
 * <p>The rewrites are the operator's: they are the only way to a local ({@code file://} or path) repository. A
 * tenant's URL is checked first ({@link GitRepositoryUrl}) and rewritten after ({@link #remote}), and the part of it
 * after the prefix may not climb out of the base ({@code ..} segments; for a local base also {@code %}-escapes and
 * backslashes, which JGit would decode into a path).
 */
public final class GitUrlRewriter {
    private final Map<String, String> baseByPrefix;

    /**
     * @param baseByInsteadOf map from the {@code insteadOf} prefix to the base that replaces it, e.g.
     *                        {@code "https://github.com/" -> "file:///srv/mirrors/github.com/"}
     */
    public GitUrlRewriter(Map<String, String> baseByInsteadOf) {
        this.baseByPrefix = new TreeMap<>(baseByInsteadOf);
    }

    /** @return a rewriter that leaves every URL as it is */
    public static GitUrlRewriter none() {
        return new GitUrlRewriter(Map.of());
    }

    /**
     * Parses {@code prefix=base} pairs, separated by commas (the form used on command lines).
     *
     * @throws IllegalArgumentException on a pair without {@code =}
     */
    public static GitUrlRewriter parse(String pairs) {
        Map<String, String> map = new TreeMap<>();
        if (pairs != null) {
            for (String pair : pairs.split(",")) {
                if (pair.isBlank()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("URL rewrite must be <insteadOf-prefix>=<base>: " + pair);
                }
                map.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
        }
        return new GitUrlRewriter(map);
    }

    /** @return the URL with the longest matching prefix replaced, or the URL unchanged */
    public String rewrite(String url) {
        String best = longestPrefix(url);
        return best == null ? url : baseByPrefix.get(best) + url.substring(best.length());
    }

    /**
     * The URL to fetch for a tenant's {@code spec.url}: checked against Flux's pattern, then rewritten.
     *
     * @param url {@code spec.url} as the tenant wrote it
     * @return the rewritten URL, or {@code url} unchanged when no prefix matches
     * @throws GitUrlException when {@code url} is not an http, https or ssh URL, or the part after a matching prefix
     *                         leaves the base
     */
    public String remote(String url) {
        GitRepositoryUrl.check(url);
        String prefix = longestPrefix(url);
        if (prefix == null) {
            return url;
        }
        String base = baseByPrefix.get(prefix);
        String rest = url.substring(prefix.length());
        boolean local = base.regionMatches(true, 0, "file:", 0, 5) || !base.contains("://");
        for (String segment : rest.split("[/?#]", -1)) {
            if (segment.equals("..")) {
                throw new GitUrlException("spec.url climbs out of the repositories the operator's URL rewrite for '"
                        + prefix + "' serves ('..' path segment)");
            }
        }
        if (local && (rest.contains("%") || rest.contains("\\"))) {
            throw new GitUrlException("spec.url has a '%' escape or a backslash after '" + prefix
                    + "', which the operator's URL rewrite to a local repository does not accept");
        }
        return base + rest;
    }

    private String longestPrefix(String url) {
        String best = null;
        for (String prefix : baseByPrefix.keySet()) {
            if (url.startsWith(prefix) && (best == null || prefix.length() > best.length())) {
                best = prefix;
            }
        }
        return best;
    }

    /** @return the configured prefix → base map */
    public Map<String, String> rules() {
        return Map.copyOf(baseByPrefix);
    }
}

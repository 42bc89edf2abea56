package io.conflux.git;

import java.util.Map;
import java.util.TreeMap;

/**
 * Rewrites repository URLs the way git's {@code url.<base>.insteadOf = <prefix>} does: a URL starting with
 * {@code <prefix>} has that prefix replaced by {@code <base>}; when several prefixes match, the longest wins
 * (git-config(1), "url.&lt;base&gt;.insteadOf"). Used so that manifests naming {@code https://github.com/...}
 * work against local mirrors on an air-gapped site.
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
        String best = null;
        for (String prefix : baseByPrefix.keySet()) {
            if (url.startsWith(prefix) && (best == null || prefix.length() > best.length())) {
                best = prefix;
            }
        }
        return best == null ? url : baseByPrefix.get(best) + url.substring(best.length());
    }

    /** @return the configured prefix → base map */
    public Map<String, String> rules() {
        return Map.copyOf(baseByPrefix);
    }
}

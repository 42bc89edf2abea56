package io.conflux.git;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which URLs a tenant's {@code GitRepository.spec.url} may name: those matching Flux's CRD pattern
 * {@code ^(http|https|ssh)://.*$} (source-controller's {@code config/crd/bases}, every served version; the same pattern
 * is in {@code deploy/crds/gitrepositories.yaml}, so a current API server refuses the others already). The check is
 * repeated here because an API server may hold older CRDs, and because a URL also reaches the services through Kafka
 * messages and the status of included repositories.
 *
 * <p>Refused, as Flux refuses them: {@code file://} URLs and local paths (they would read the services' own file
 * system, including other tenants' mirrors), scp-like addresses ({@code git@host:org/repo}; write
 * {@code ssh://git@host/org/repo}), other schemes, and upper-case schemes (the pattern is case-sensitive). Local
 * repositories are reached only through the operator's {@code conflux.git.url-rewrites}, which apply after this check
 * ({@link GitUrlRewriter#remote}).
 */
public final class GitRepositoryUrl {
    /** Flux's {@code GitRepositorySpec.URL} validation pattern. */
    public static final Pattern PATTERN = Pattern.compile("^(http|https|ssh)://.*$");
    private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*)://");
    private static final Pattern SCP_LIKE = Pattern.compile("^[^/\\\\:]*[^/\\\\:.][^/\\\\:]*:");

    private GitRepositoryUrl() {
    }

    /**
     * @param url {@code spec.url} as the tenant wrote it
     * @throws GitUrlException naming {@code spec.url} and saying what kind of URL it is (the URL itself is not echoed:
     *                         it may carry credentials)
     */
    public static void check(String url) {
        if (url == null || url.isBlank()) {
            throw new GitUrlException("spec.url is empty");
        }
        if (PATTERN.matcher(url).matches()) {
            return;
        }
        throw new GitUrlException("spec.url is " + kind(url) + ", which a GitRepository may not name: only http, https "
                + "and ssh URLs are allowed (" + PATTERN.pattern() + "); local repositories are reached through the "
                + "operator's conflux.git.url-rewrites");
    }

    private static String kind(String url) {
        if (url.contains("\n") || url.contains("\r")) {
            return "a text of several lines";
        }
        Matcher scheme = SCHEME.matcher(url);
        if (scheme.find()) {
            String s = scheme.group(1);
            return s.toLowerCase(Locale.ROOT).equals("file") ? "a file:// URL" : "a URL of scheme '" + s + "'";
        }
        if (SCP_LIKE.matcher(url).find() && !url.matches("^[A-Za-z]:[/\\\\].*")) {
            return "an scp-like address (user@host:path; write it as ssh://user@host/path)";
        }
        return "a local path";
    }
}

package io.conflux.notifier.deliver;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * What a message may show of a Provider's address or proxy: these come from the Provider or its Secret and often
 * carry the credential themselves (a Slack or Teams webhook's path, a token in the query, {@code user:password@} in
 * a proxy or Git URL), and messages travel into logs, status, the deliveries table and the CLI. So only the scheme
 * and host are shown, never the user info, path, query or fragment.
 */
public final class SafeText {
    private SafeText() {
    }

    /**
     * @param url an address or proxy URL as configured (may be null or unparseable)
     * @return {@code scheme://host[:port]}, followed by {@code /…} when anything was left out; or
     *     {@code (not a URL, N characters)} when no scheme and host can be read
     */
    public static String url(String url) {
        if (url == null || url.isBlank()) {
            return "(empty)";
        }
        try {
            URI uri = new URI(url.trim());
            if (uri.getScheme() != null && uri.getHost() != null) {
                String shown = uri.getScheme() + "://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
                boolean more = uri.getRawUserInfo() != null || (uri.getRawPath() != null && !uri.getRawPath().isEmpty()
                        && !uri.getRawPath().equals("/")) || uri.getRawQuery() != null || uri.getRawFragment() != null;
                return more ? shown + "/…" : shown;
            }
        } catch (URISyntaxException e) {
            // fall through: nothing of it is shown
        }
        return "(not a URL, " + url.length() + " characters)";
    }

    /**
     * @param e a parse failure of an address
     * @return its reason and index ({@code Illegal character in query at index 42}), without the input
     */
    public static String reason(URISyntaxException e) {
        return e.getReason() + (e.getIndex() >= 0 ? " at index " + e.getIndex() : "");
    }
}

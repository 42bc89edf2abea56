package io.conflux.receiver.decide;

/**
 * Whether a request to the receiver's control API ({@code /api/*}, e.g. {@code POST /api/reconcile/source/git/...})
 * may proceed: it must carry {@code Authorization: Bearer <token>} with the token the operator configured in the file
 * named by {@code conflux.receiver.control-token-file} (compared in constant time). Without a configured token the
 * control API is off. The webhook paths ({@code /hook/*}, authenticated per Receiver) and health are not concerned.
 *
 * @param allowed whether the request may proceed
 * @param status  the HTTP status to answer when it may not: 401 (no or wrong bearer token, with
 *                {@code WWW-Authenticate: Bearer}), 403 (the control API is off); 0 when allowed
 * @param message why it may not, never the token; null when allowed
 */
public record ControlAccess(boolean allowed, int status, String message) {
    private static final String BEARER = "Bearer ";

    /**
     * @param authorization the request's {@code Authorization} header, null when absent
     * @param token         the configured token, null or blank when none is configured
     * @return the decision; never throws
     */
    public static ControlAccess check(String authorization, String token) {
        if (token == null || token.isBlank()) {
            return new ControlAccess(false, 403, "the control API is off: no token is configured "
                    + "(conflux.receiver.control-token-file)");
        }
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return new ControlAccess(false, 401, "the control API needs 'Authorization: Bearer <token>'");
        }
        if (!Signatures.tokenEquals(authorization.substring(BEARER.length()).trim(), token.trim())) {
            return new ControlAccess(false, 401, "invalid bearer token for the control API");
        }
        return new ControlAccess(true, 0, null);
    }
}

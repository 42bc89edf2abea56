package io.conflux.git;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The credentials of a {@code GitRepository.spec.secretRef}, read from the Secret's keys as Flux's source-controller
 * does ({@code github.com/fluxcd/pkg/git} {@code NewAuthOptions}):
 * <ul>
 *   <li>HTTPS: {@code username} and {@code password} give HTTP basic authentication, {@code bearerToken} gives an
 *       {@code Authorization: Bearer} header (and wins when both are present: Flux refuses neither but go-git sends
 *       the bearer token);</li>
 *   <li>SSH: {@code identity} is the private key (OpenSSH or PEM format), {@code password} its passphrase when it is
 *       encrypted, {@code known_hosts} the host keys the server must present (checked strictly, no
 *       accept-new); {@code identity.pub} is accepted and not needed (the public key is derived from the private
 *       one).</li>
 * </ul>
 * Which set is used depends on the URL's transport, not on the keys present. The commands are configured by
 * {@link GitTransfer}.
 *
 * @param username    basic-auth user name, or null
 * @param password    basic-auth password, or the SSH key's passphrase; null when absent
 * @param bearerToken bearer token, or null
 * @param identity    SSH private key (PEM or OpenSSH text), or null
 * @param knownHosts  SSH known_hosts lines (OpenSSH format, hashed host names allowed), or null
 */
public record GitCredentials(String username, String password, String bearerToken, String identity, String knownHosts) {

    /** No credentials: anonymous access. */
    public static final GitCredentials NONE = new GitCredentials(null, null, null, null, null);

    /**
     * HTTPS credentials only.
     *
     * @param username    basic-auth user name, or null
     * @param password    basic-auth password, or null
     * @param bearerToken bearer token, or null
     */
    public GitCredentials(String username, String password, String bearerToken) {
        this(username, password, bearerToken, null, null);
    }

    /**
     * Reads the Flux keys {@code username}, {@code password}, {@code bearerToken}, {@code identity} and
     * {@code known_hosts} from decoded Secret data.
     *
     * @param data Secret data, key → raw bytes (already base64-decoded); may be null
     * @return the credentials found, {@link #NONE} when none of the keys is present
     */
    public static GitCredentials fromSecretData(Map<String, byte[]> data) {
        if (data == null) {
            return NONE;
        }
        return new GitCredentials(text(data.get("username")), text(data.get("password")), text(data.get("bearerToken")),
                raw(data.get("identity")), raw(data.get("known_hosts")));
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8).trim();
    }

    private static String raw(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /** @return whether any credential is set */
    public boolean present() {
        return bearerToken != null || username != null || password != null || identity != null || knownHosts != null;
    }

    /** Never prints the secrets. */
    @Override
    public String toString() {
        return bearerToken != null ? "GitCredentials[bearer]" : username != null ? "GitCredentials[basic " + username + "]"
                : identity != null ? "GitCredentials[ssh]" : "GitCredentials[none]";
    }
}

package io.conflux.git;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jgit.api.TransportCommand;
import org.eclipse.jgit.transport.TransportHttp;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/**
 * HTTPS credentials of a {@code GitRepository.spec.secretRef}, read from the Secret's keys as Flux's
 * source-controller does ({@code github.com/fluxcd/pkg/git} {@code NewAuthOptions}): {@code username} and
 * {@code password} give HTTP basic authentication, {@code bearerToken} gives an {@code Authorization: Bearer}
 * header (and wins when both are present, as Flux refuses neither but go-git sends the bearer token).
 *
 * <p>Every JGit transport command of Conflux (ls-remote here, fetches in the renderer) must be configured with
 * {@link #applyTo(TransportCommand)}: basic credentials through JGit's
 * {@link UsernamePasswordCredentialsProvider}, the bearer token as an additional HTTP header of
 * {@link TransportHttp} (JGit has no bearer {@code CredentialsProvider}).
 *
 * @param username    basic-auth user name, or null
 * @param password    basic-auth password, or null
 * @param bearerToken bearer token, or null
 */
public record GitCredentials(String username, String password, String bearerToken) {

    /** No credentials: anonymous access. */
    public static final GitCredentials NONE = new GitCredentials(null, null, null);

    /**
     * Reads the Flux keys {@code username}, {@code password}, {@code bearerToken} from decoded Secret data.
     *
     * @param data Secret data, key → raw bytes (already base64-decoded); may be null
     * @return the credentials found, {@link #NONE} when none of the keys is present
     */
    public static GitCredentials fromSecretData(Map<String, byte[]> data) {
        if (data == null) {
            return NONE;
        }
        return new GitCredentials(text(data.get("username")), text(data.get("password")), text(data.get("bearerToken")));
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8).trim();
    }

    /** @return whether any credential is set */
    public boolean present() {
        return bearerToken != null || username != null || password != null;
    }

    /**
     * Configures a JGit transport command (ls-remote, fetch, clone) with these credentials; does nothing for
     * {@link #NONE}.
     *
     * @param command the command to configure
     * @return {@code command}
     */
    public <C extends TransportCommand<C, ?>> C applyTo(C command) {
        if (bearerToken != null && !bearerToken.isEmpty()) {
            String header = "Bearer " + bearerToken;
            command.setTransportConfigCallback(transport -> {
                if (transport instanceof TransportHttp http) {
                    http.setAdditionalHeaders(Map.of("Authorization", header));
                }
            });
        } else if (username != null || password != null) {
            command.setCredentialsProvider(new UsernamePasswordCredentialsProvider(
                    username == null ? "" : username, password == null ? "" : password));
        }
        return command;
    }

    /** Never prints the secrets. */
    @Override
    public String toString() {
        return bearerToken != null ? "GitCredentials[bearer]" : username != null ? "GitCredentials[basic " + username + "]"
                : "GitCredentials[none]";
    }
}

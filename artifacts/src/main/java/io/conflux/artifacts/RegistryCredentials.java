package io.conflux.artifacts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * Basic credentials for an OCI registry, read from {@code OCIRepository.spec.secretRef} as source-controller reads
 * them: a {@code kubernetes.io/dockerconfigjson} Secret ({@code .dockerconfigjson}, the entry of the registry host under
 * {@code auths}, with {@code username}/{@code password} or {@code auth} = base64 of {@code user:password}), or a Secret
 * with {@code username} and {@code password}.
 *
 * @param username the user name
 * @param password the password or token
 */
public record RegistryCredentials(String username, String password) {

    /** @return the {@code Authorization} header value, {@code Basic <base64(user:password)>} */
    public String basicAuthorization() {
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "RegistryCredentials[username=" + username + "]";
    }

    /**
     * @param secretName the Secret's name, for messages
     * @param data       the Secret's data, decoded
     * @param host       the registry {@code host[:port]}
     * @return the credentials; empty when the docker config has no entry for {@code host} (anonymous, as Flux)
     * @throws ArtifactException {@code AuthenticationFailed} naming the Secret and key when it holds neither form or
     *                           the docker config does not parse
     */
    public static Optional<RegistryCredentials> fromSecret(String secretName, Map<String, byte[]> data, String host) {
        byte[] config = data.get(".dockerconfigjson");
        if (config != null) {
            return fromDockerConfig(secretName, config, host);
        }
        byte[] user = data.get("username");
        byte[] password = data.get("password");
        if (user == null || password == null) {
            throw new ArtifactException(ArtifactException.AUTHENTICATION_FAILED, "secret '" + secretName
                    + "' has neither '.dockerconfigjson' nor 'username' and 'password'");
        }
        return Optional.of(new RegistryCredentials(new String(user, StandardCharsets.UTF_8),
                new String(password, StandardCharsets.UTF_8)));
    }

    private static Optional<RegistryCredentials> fromDockerConfig(String secretName, byte[] config, String host) {
        JsonNode auths;
        try {
            auths = new ObjectMapper().readTree(config).path("auths");
        } catch (IOException e) {
            throw new ArtifactException(ArtifactException.AUTHENTICATION_FAILED,
                    "secret '" + secretName + "': '.dockerconfigjson' is not valid JSON");
        }
        for (Map.Entry<String, JsonNode> entry : auths.properties()) {
            if (!host.equals(hostOf(entry.getKey()))) {
                continue;
            }
            JsonNode auth = entry.getValue();
            if (auth.hasNonNull("username") && auth.hasNonNull("password")) {
                return Optional.of(new RegistryCredentials(auth.get("username").asText(), auth.get("password").asText()));
            }
            if (auth.hasNonNull("auth")) {
                String decoded;
                try {
                    decoded = new String(Base64.getDecoder().decode(auth.get("auth").asText()), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    decoded = "";
                }
                int colon = decoded.indexOf(':');
                if (colon <= 0) {
                    throw new ArtifactException(ArtifactException.AUTHENTICATION_FAILED, "secret '" + secretName
                            + "': '.dockerconfigjson' entry for '" + host + "' has an 'auth' that is not base64 of user:password");
                }
                return Optional.of(new RegistryCredentials(decoded.substring(0, colon), decoded.substring(colon + 1)));
            }
            throw new ArtifactException(ArtifactException.AUTHENTICATION_FAILED, "secret '" + secretName
                    + "': '.dockerconfigjson' entry for '" + host + "' has neither 'auth' nor 'username' and 'password'");
        }
        return Optional.empty();
    }

    /** @return the host of a docker config key ({@code https://host/v1/}, {@code host}) */
    private static String hostOf(String key) {
        String k = key.replaceFirst("^[a-z]+://", "");
        int slash = k.indexOf('/');
        return slash < 0 ? k : k.substring(0, slash);
    }
}

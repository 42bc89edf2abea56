package io.conflux.notifier.deliver;

import java.time.Duration;
import java.util.Map;

/**
 * A {@code Provider} resolved for sending: its spec merged with the keys of its {@code secretRef} Secret
 * ({@code address}, {@code token}, {@code username}, {@code proxy}, {@code headers} win over the spec's fields, as
 * in Flux's {@code createNotifier}) and the CA of its {@code certSecretRef}.
 *
 * @param key      {@code namespace/name} of the Provider, for rate limiting and records
 * @param uid      the Provider's {@code metadata.uid} (Flux uses it in default commit-status keys); may be null
 * @param type     {@code spec.type}, e.g. {@code slack}
 * @param address  URL to post to (for {@code github}/{@code gitlab} the repository URL)
 * @param token    bearer/API token or HMAC key; null when none
 * @param username {@code spec.username} (or the Secret's {@code username}); null when none
 * @param password the Secret's {@code password} (basic auth for {@code alertmanager}); null when none
 * @param channel  {@code spec.channel}; null when none
 * @param headers  extra HTTP headers from the Secret's {@code headers} key (YAML map); never null
 * @param proxy    proxy URL ({@code http://host:port}); null for a direct connection
 * @param timeout  limit of one HTTP call
 * @param caPem    PEM CA bundle to trust instead of the JVM's ({@code ca.crt} of {@code certSecretRef}); null
 */
public record ProviderEndpoint(String key, String uid, String type, String address, String token, String username,
                               String password, String channel, Map<String, String> headers, String proxy,
                               Duration timeout, String caPem) {

    /** Normalises {@code headers} to an empty map when null. */
    public ProviderEndpoint {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    /** @return the token, or the empty string when there is none */
    public String tokenOrEmpty() {
        return token == null ? "" : token;
    }
}

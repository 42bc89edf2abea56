package io.conflux.notifier.dispatch;

import io.conflux.model.meta.GoDuration;
import io.conflux.model.notification.Provider;
import io.conflux.model.notification.ProviderSpec;
import io.conflux.notifier.deliver.ProviderEndpoint;
import io.conflux.service.SecretReader;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Resolves a {@code Provider} into a {@link ProviderEndpoint}, reading its Secrets from the management cluster as
 * Flux's {@code createNotifier} does: {@code spec.secretRef} keys {@code address}, {@code token},
 * {@code username}, {@code password}, {@code proxy} and (a Conflux addition) {@code channel} win over the spec's
 * fields and {@code headers} (a YAML map)
 * adds request headers; {@code spec.certSecretRef} key {@code ca.crt} (or the older {@code caFile}) is the CA to
 * trust; {@code spec.timeout} (Go duration) limits each call. Secrets are read through service-common's
 * {@link SecretReader}; an API server failure propagates (a transient failure the events handler retries). Blocking.
 */
@ApplicationScoped
public class ProviderResolver {
    @Inject
    SecretReader secrets;
    @Inject
    NotifierConfig config;

    /**
     * @param provider the Provider
     * @return the endpoint
     * @throws IllegalArgumentException when a referenced Secret is missing or a value is invalid
     */
    public ProviderEndpoint resolve(Provider provider) {
        ProviderSpec spec = provider.getSpec();
        String namespace = provider.getMetadata().getNamespace();
        String key = namespace + "/" + provider.getMetadata().getName();
        String address = spec.address();
        String token = null;
        String username = spec.username();
        String password = null;
        String proxy = spec.proxy();
        String channel = spec.channel();
        Map<String, String> headers = new LinkedHashMap<>();
        if (spec.secretRef() != null && spec.secretRef().name() != null) {
            Map<String, String> data = secretData(namespace, spec.secretRef().name());
            address = data.getOrDefault("address", address);
            token = data.get("token");
            username = data.getOrDefault("username", username);
            password = data.get("password");
            proxy = data.getOrDefault("proxy", proxy);
            channel = data.getOrDefault("channel", channel);
            if (data.containsKey("headers")) {
                headers.putAll(parseHeaders(data.get("headers"), namespace + "/" + spec.secretRef().name()));
            }
        }
        String ca = null;
        if (spec.certSecretRef() != null && spec.certSecretRef().name() != null) {
            Map<String, String> data = secretData(namespace, spec.certSecretRef().name());
            ca = data.getOrDefault("ca.crt", data.get("caFile"));
            if (ca == null) {
                throw new IllegalArgumentException("Secret " + namespace + "/" + spec.certSecretRef().name()
                        + " has no 'ca.crt' key");
            }
        }
        Duration timeout;
        try {
            timeout = GoDuration.parseOr(spec.timeout(), config.defaultTimeout());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid spec.timeout " + spec.timeout(), e);
        }
        return new ProviderEndpoint(key, provider.getMetadata().getUid(), spec.type(), trim(address), trim(token),
                username, password, channel, headers, trim(proxy), timeout, ca);
    }

    private Map<String, String> secretData(String namespace, String name) {
        return secrets.secretData(namespace, name)
                .orElseThrow(() -> new IllegalArgumentException("Secret " + namespace + "/" + name + " not found"));
    }

    /**
     * Reads the {@code headers} key of a Provider's Secret: a YAML mapping of header names to values, as Flux's
     * notification-controller takes it. A failure names the Secret, the key and the line and column, never the
     * content: the parser's own messages quote the offending text, which is usually the credential itself.
     */
    private Map<String, String> parseHeaders(String yaml, String secret) {
        String where = "Secret " + secret + " key 'headers'";
        Object parsed;
        try {
            parsed = new Load(HEADERS_YAML).loadFromString(yaml);
        } catch (MarkedYamlEngineException e) {
            Mark mark = e.getProblemMark().orElse(e.getContextMark().orElse(null));
            throw new IllegalArgumentException(where + ": not valid YAML" + (mark == null ? ""
                    : " (line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ")"));
        } catch (YamlEngineException e) {
            throw new IllegalArgumentException(where + ": not valid YAML");
        }
        if (parsed != null && !(parsed instanceof Map<?, ?>)) {
            throw new IllegalArgumentException(where + ": not a YAML mapping of header names to values");
        }
        Map<String, String> out = new LinkedHashMap<>();
        if (parsed instanceof Map<?, ?> m) {
            m.forEach((name, v) -> {
                String k = String.valueOf(name);
                if (!HEADER_NAME.matcher(k).matches()) {
                    throw new IllegalArgumentException(where + ": invalid header name (not an HTTP token)");
                }
                String value = String.valueOf(v);
                if (value.chars().anyMatch(c -> (c < 0x20 && c != '\t') || c == 0x7f)) {
                    throw new IllegalArgumentException(where + ": the value of header '" + k
                            + "' holds control characters (value not shown)");
                }
                out.put(k, value);
            });
        }
        return out;
    }


    /** A headers document is a flat map of short strings: no collection aliases, at most 64 KiB. */
    private static final LoadSettings HEADERS_YAML = LoadSettings.builder()
            .setMaxAliasesForCollections(0)
            .setCodePointLimit(64 * 1024)
            .build();

    /** RFC 9110 token: what a header name may be. */
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private static String trim(String s) {
        return s == null ? null : s.trim();
    }
}

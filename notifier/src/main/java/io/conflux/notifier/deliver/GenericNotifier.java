package io.conflux.notifier.deliver;

import io.conflux.model.topic.FluxEvent;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;

/**
 * Flux's {@code generic} and {@code generic-hmac} notifiers ({@code internal/notifier/forwarder.go}): the event
 * itself as JSON (Flux's {@code eventv1.Event}), header {@code gotk-component: <reporting controller>} and the
 * Secret's {@code headers}; {@code generic-hmac} adds {@code X-Signature: sha256=<hex HMAC-SHA256 of the body>}
 * keyed with the Secret's {@code token}, which it requires.
 */
public final class GenericNotifier implements Notifier {
    /** Header naming the Flux component that reported the event. */
    public static final String COMPONENT_HEADER = "gotk-component";
    /** Header carrying the body's HMAC for {@code generic-hmac}. */
    public static final String SIGNATURE_HEADER = "X-Signature";

    private final boolean hmac;

    /** @param hmac sign the body ({@code generic-hmac}) */
    public GenericNotifier(boolean hmac) {
        this.hmac = hmac;
    }

    @Override
    public Optional<OutgoingRequest> request(ProviderEndpoint endpoint, FluxEvent event) {
        var uri = Payloads.address(endpoint);
        if (hmac && Payloads.isEmpty(endpoint.token())) {
            throw new IllegalArgumentException("generic-hmac needs a 'token' in the Provider's secretRef");
        }
        byte[] body = Payloads.json(event);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(COMPONENT_HEADER, Payloads.nullToEmpty(event.reportingController()));
        headers.putAll(endpoint.headers());
        if (hmac) {
            headers.put(SIGNATURE_HEADER, "sha256=" + hmacSha256(endpoint.token(), body));
        }
        return Optional.of(new OutgoingRequest("POST", uri, headers, body));
    }

    /** @return the lower-case hex HMAC-SHA256 of {@code body} keyed with {@code key} (UTF-8) */
    public static String hmacSha256(String key, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every JVM", e);
        }
    }
}

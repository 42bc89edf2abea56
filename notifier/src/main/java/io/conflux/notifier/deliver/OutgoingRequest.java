package io.conflux.notifier.deliver;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One HTTP request a Provider is sent for an event.
 *
 * @param method  HTTP method, e.g. {@code POST}
 * @param uri     absolute URI
 * @param headers request headers (besides {@code Content-Type}, which is {@code application/json} unless set here)
 * @param body    request body, UTF-8 JSON for every provider type
 */
public record OutgoingRequest(String method, URI uri, Map<String, String> headers, byte[] body) {

    /** Copies headers defensively. */
    public OutgoingRequest {
        headers = Map.copyOf(headers);
    }

    /** @return the body decoded as UTF-8 */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}

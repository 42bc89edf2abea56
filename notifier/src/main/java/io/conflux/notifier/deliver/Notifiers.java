package io.conflux.notifier.deliver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.model.topic.FluxEvent;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Builds the HTTP request each Provider type is sent for an event, in the shape of Flux's notification-controller
 * ({@code internal/notifier/*.go}). The event given is the one prepared for the Alert (metadata combined, see
 * {@link io.conflux.notifier.match.NotificationEvent#forAlert}).
 */
public final class Notifiers {
    /** {@code spec.type} values this class can build requests for. */
    public static final List<String> TYPES = List.of("slack");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String slackIconUrl;

    /**
     * @param slackIconUrl {@code icon_url} of Slack messages ({@code conflux.notifier.slack.icon-url})
     */
    public Notifiers(String slackIconUrl) {
        this.slackIconUrl = slackIconUrl;
    }

    /**
     * @param endpoint the resolved Provider
     * @param event    the event prepared for the Alert
     * @return the request, or empty when this provider type does not send this event (as Flux drops it)
     * @throws IllegalArgumentException when the type is unknown or the address invalid for the type
     */
    public Optional<OutgoingRequest> request(ProviderEndpoint endpoint, FluxEvent event) {
        String type = endpoint.type() == null ? "" : endpoint.type();
        return switch (type) {
            case "slack" -> Optional.of(slack(endpoint, event));
            default -> throw new IllegalArgumentException("provider type '" + type + "' is not supported");
        };
    }

    /**
     * Flux's {@code slack.go}: one attachment, {@code good}/{@code danger} by severity, author
     * {@code <kind lower-case>/<name>.<namespace>}, the message as {@code mrkdwn} text and one non-short field per
     * metadata entry; {@code username} defaults to the reporting controller; a token is sent as
     * {@code Authorization: Bearer}.
     */
    private OutgoingRequest slack(ProviderEndpoint endpoint, FluxEvent event) {
        URI uri = address(endpoint);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("channel", nullToEmpty(endpoint.channel()));
        payload.put("username", endpoint.username() == null || endpoint.username().isEmpty()
                ? nullToEmpty(event.reportingController()) : endpoint.username());
        payload.put("icon_url", slackIconUrl);
        payload.put("icon_emoji", "");
        Map<String, Object> attachment = new LinkedHashMap<>();
        attachment.put("color", FluxEvent.ERROR.equals(event.severity()) ? "danger" : "good");
        attachment.put("author_name", authorName(event.involvedObject()));
        attachment.put("text", nullToEmpty(event.message()));
        attachment.put("mrkdwn_in", List.of("text"));
        List<Map<String, Object>> fields = new ArrayList<>();
        metadata(event).forEach((k, v) -> {
            Map<String, Object> field = new LinkedHashMap<>();
            field.put("title", k);
            field.put("value", v);
            field.put("short", false);
            fields.add(field);
        });
        attachment.put("fields", fields);
        payload.put("attachments", List.of(attachment));
        Map<String, String> headers = new LinkedHashMap<>(endpoint.headers());
        if (endpoint.token() != null && !endpoint.token().isEmpty()) {
            headers.put("Authorization", "Bearer " + endpoint.token());
        }
        return new OutgoingRequest("POST", uri, headers, json(payload));
    }

    /** @return {@code <kind lower-case>/<name>.<namespace>}, as Flux titles messages */
    static String authorName(FluxEvent.InvolvedObject o) {
        return o.kind().toLowerCase(Locale.ROOT) + "/" + o.name() + "." + o.namespace();
    }

    private static Map<String, String> metadata(FluxEvent event) {
        return event.metadata() == null ? Map.of() : event.metadata();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    /**
     * @return the endpoint's address as an absolute http(s) URI (Go's {@code url.ParseRequestURI} check)
     * @throws IllegalArgumentException when it is missing or not an absolute http(s) URL
     */
    static URI address(ProviderEndpoint endpoint) {
        String address = endpoint.address();
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException("provider has no address");
        }
        try {
            URI uri = new URI(address.trim());
            if (!uri.isAbsolute() || uri.getHost() == null
                    || !("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))) {
                throw new IllegalArgumentException("invalid " + endpoint.type() + " address " + address);
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("invalid " + endpoint.type() + " address " + address, e);
        }
    }

    static byte[] json(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize payload", e);
        }
    }
}

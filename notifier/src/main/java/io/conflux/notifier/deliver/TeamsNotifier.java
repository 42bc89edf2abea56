package io.conflux.notifier.deliver;

import io.conflux.model.topic.FluxEvent;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Flux's {@code msteams} notifier ({@code internal/notifier/teams.go}). Workflow (Power Automate) webhooks get an
 * Adaptive Card 1.4 message: a full-width container with the object name (large, bolder), the message (colour
 * {@code attention} for errors) and a fact set — {@code summary} first, then the other metadata sorted by key.
 * Addresses on {@code *.webhook.office.com} (the retired Office 365 connectors) get the legacy
 * {@code MessageCard} (theme {@code 0076D7}, {@code FF0000} for errors).
 */
public final class TeamsNotifier implements Notifier {
    private static final String SUMMARY = "summary";

    @Override
    public Optional<OutgoingRequest> request(ProviderEndpoint endpoint, FluxEvent event) {
        URI uri = Payloads.address(endpoint);
        if (Payloads.isCommitStatusUpdate(event)) {
            return Optional.empty();
        }
        Object payload = uri.getHost().endsWith(".webhook.office.com") ? messageCard(event) : adaptiveCard(event);
        return Optional.of(new OutgoingRequest("POST", uri, endpoint.headers(), Payloads.json(payload)));
    }

    static Map<String, Object> adaptiveCard(FluxEvent event) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("type", "TextBlock");
        message.put("text", Payloads.nullToEmpty(event.message()));
        if (FluxEvent.ERROR.equals(event.severity())) {
            message.put("color", "attention");
        }
        message.put("wrap", true);
        List<Map<String, Object>> facts = new ArrayList<>();
        Map<String, String> metadata = Payloads.metadata(event);
        if (metadata.containsKey(SUMMARY)) {
            facts.add(fact(SUMMARY, metadata.get(SUMMARY)));
        }
        new TreeMap<>(metadata).forEach((k, v) -> {
            if (!SUMMARY.equals(k)) {
                facts.add(fact(k, v));
            }
        });
        Map<String, Object> title = new LinkedHashMap<>();
        title.put("type", "TextBlock");
        title.put("text", Payloads.objectName(event));
        title.put("size", "large");
        title.put("weight", "bolder");
        title.put("wrap", true);
        Map<String, Object> factSet = new LinkedHashMap<>();
        factSet.put("type", "FactSet");
        factSet.put("facts", facts);
        Map<String, Object> container = new LinkedHashMap<>();
        container.put("type", "Container");
        container.put("items", List.of(title, message, factSet));
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
        content.put("type", "AdaptiveCard");
        content.put("version", "1.4");
        content.put("body", List.of(container));
        content.put("msteams", Map.of("width", "Full"));
        Map<String, Object> attachment = new LinkedHashMap<>();
        attachment.put("contentType", "application/vnd.microsoft.card.adaptive");
        attachment.put("content", content);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("type", "message");
        payload.put("attachments", List.of(attachment));
        return payload;
    }

    static Map<String, Object> messageCard(FluxEvent event) {
        List<Map<String, Object>> facts = new ArrayList<>();
        new TreeMap<>(Payloads.metadata(event)).forEach((k, v) -> {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("name", k);
            f.put("value", v);
            facts.add(f);
        });
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("activityTitle", Payloads.nullToEmpty(event.message()));
        section.put("activitySubtitle", Payloads.objectName(event));
        section.put("facts", facts);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("@type", "MessageCard");
        payload.put("@context", "http://schema.org/extensions");
        payload.put("themeColor", FluxEvent.ERROR.equals(event.severity()) ? "FF0000" : "0076D7");
        payload.put("summary", Payloads.objectName(event));
        payload.put("sections", List.of(section));
        return payload;
    }

    private static Map<String, Object> fact(String title, String value) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("title", title);
        f.put("value", value);
        return f;
    }
}

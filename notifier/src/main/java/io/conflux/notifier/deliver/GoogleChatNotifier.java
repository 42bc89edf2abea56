package io.conflux.notifier.deliver;

import io.conflux.model.meta.FluxReasons;
import io.conflux.model.topic.FluxEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Flux's {@code googlechat} notifier ({@code internal/notifier/google_chat.go}): one card, header title
 * {@code <kind>/<name>.<namespace>} and subtitle the reporting controller, a text paragraph with the message (red
 * for errors) and key-value widgets for {@code TIMESTAMP} and each metadata entry. {@code Progressing} events are
 * skipped, as Flux does.
 */
public final class GoogleChatNotifier implements Notifier {

    @Override
    public Optional<OutgoingRequest> request(ProviderEndpoint endpoint, FluxEvent event) {
        var uri = Payloads.address(endpoint);
        if (Payloads.isCommitStatusUpdate(event) || FluxReasons.PROGRESSING.equals(event.reason())) {
            return Optional.empty();
        }
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("title", Payloads.objectName(event));
        header.put("subtitle", Payloads.nullToEmpty(event.reportingController()));
        header.put("imageUrl", null);
        header.put("imageStyle", null);
        String text = FluxEvent.ERROR.equals(event.severity())
                ? "<font color=\"#ff0000\">" + Payloads.nullToEmpty(event.message()) + "</font>"
                : Payloads.nullToEmpty(event.message());
        Map<String, Object> paragraph = new LinkedHashMap<>();
        paragraph.put("textParagraph", Map.of("text", text));
        paragraph.put("keyValue", null);
        List<Map<String, Object>> keyValues = new ArrayList<>();
        keyValues.add(keyValue("TIMESTAMP", Payloads.goTime(event.timestamp())));
        new TreeMap<>(Payloads.metadata(event)).forEach((k, v) -> keyValues.add(keyValue(k, v)));
        Map<String, Object> messageSection = new LinkedHashMap<>();
        messageSection.put("header", "");
        messageSection.put("widgets", List.of(paragraph));
        Map<String, Object> metadataSection = new LinkedHashMap<>();
        metadataSection.put("header", "");
        metadataSection.put("widgets", keyValues);
        Map<String, Object> card = new LinkedHashMap<>();
        card.put("header", header);
        card.put("sections", List.of(messageSection, metadataSection));
        return Optional.of(new OutgoingRequest("POST", uri, endpoint.headers(), Payloads.json(Map.of("cards", List.of(card)))));
    }

    private static Map<String, Object> keyValue(String label, String content) {
        Map<String, Object> kv = new LinkedHashMap<>();
        kv.put("topLabel", label);
        kv.put("content", content);
        kv.put("contentMultiline", false);
        kv.put("bottomLabel", null);
        kv.put("icon", null);
        Map<String, Object> widget = new LinkedHashMap<>();
        widget.put("textParagraph", null);
        widget.put("keyValue", kv);
        return widget;
    }
}

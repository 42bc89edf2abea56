package io.conflux.notifier.deliver;

import io.conflux.model.topic.FluxEvent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Flux's {@code alertmanager} notifier ({@code internal/notifier/alertmanager.go}): a one-element array of
 * firing alerts posted to the address (Alertmanager's {@code /api/v2/alerts}); labels are the metadata plus
 * {@code alertname=Flux<Kind><Reason>}, {@code severity}, {@code reason}, {@code timestamp}, {@code kind},
 * {@code name}, {@code namespace}, {@code reportingcontroller}; annotations {@code message} and, when present,
 * {@code summary} (moved out of the labels). A token is sent as {@code Authorization: Bearer}.
 */
public final class AlertmanagerNotifier implements Notifier {

    @Override
    public Optional<OutgoingRequest> request(ProviderEndpoint endpoint, FluxEvent event) {
        var uri = Payloads.address(endpoint);
        if (Payloads.isCommitStatusUpdate(event)) {
            return Optional.empty();
        }
        Map<String, String> labels = new TreeMap<>(Payloads.metadata(event));
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("message", Payloads.nullToEmpty(event.message()));
        String summary = labels.remove("summary");
        if (summary != null) {
            annotations.put("summary", summary);
        }
        String reason = Payloads.nullToEmpty(event.reason());
        labels.put("alertname", "Flux" + event.involvedObject().kind()
                + (reason.isEmpty() ? "" : Character.toUpperCase(reason.charAt(0)) + reason.substring(1)));
        labels.put("severity", Payloads.nullToEmpty(event.severity()));
        labels.put("reason", reason);
        labels.put("timestamp", Payloads.goTime(event.timestamp()));
        labels.put("kind", event.involvedObject().kind());
        labels.put("name", event.involvedObject().name());
        labels.put("namespace", event.involvedObject().namespace());
        labels.put("reportingcontroller", Payloads.nullToEmpty(event.reportingController()));
        Map<String, Object> alert = new LinkedHashMap<>();
        alert.put("status", "firing");
        alert.put("labels", labels);
        alert.put("annotations", annotations);
        Map<String, String> headers = new LinkedHashMap<>(endpoint.headers());
        if (!Payloads.isEmpty(endpoint.token())) {
            headers.put("Authorization", "Bearer " + endpoint.token());
        }
        return Optional.of(new OutgoingRequest("POST", uri, headers, Payloads.json(List.of(alert))));
    }
}

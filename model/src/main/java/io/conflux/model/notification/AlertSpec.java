package io.conflux.model.notification;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.conflux.model.meta.LocalObjectReference;
import java.util.List;
import java.util.Map;

/**
 * {@code Alert.spec}.
 *
 * @param providerRef   the Provider in the Alert's namespace
 * @param eventSeverity {@code info} (all events) or {@code error} (errors only); Flux default {@code info}
 * @param eventSources  objects whose events match: kind, name ({@code *} allowed), namespace, matchLabels
 * @param inclusionList regular expressions; when set, only matching messages are sent
 * @param exclusionList regular expressions; matching messages are dropped
 * @param eventMetadata extra metadata added to every event
 * @param summary       deprecated v1beta2 summary, added as metadata {@code summary}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record AlertSpec(LocalObjectReference providerRef, String eventSeverity, List<EventSource> eventSources,
                        List<String> inclusionList, List<String> exclusionList, Map<String, String> eventMetadata,
                        String summary, Boolean suspend) {

    /** An entry of {@code spec.eventSources}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record EventSource(String apiVersion, String kind, String name, String namespace,
                              Map<String, String> matchLabels) {
    }
}

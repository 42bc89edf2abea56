package io.conflux.model.notification;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.conflux.model.meta.LocalObjectReference;
import java.util.List;
import java.util.Map;

/**
 * {@code Receiver.spec}.
 *
 * @param type      {@code github}, {@code gitlab}, {@code generic}, {@code generic-hmac}, ...
 * @param events    event types accepted (e.g. {@code push}); empty accepts all
 * @param resources objects to trigger: kind, name ({@code *} allowed), namespace, matchLabels
 * @param secretRef Secret whose {@code token} is the shared secret / HMAC key
 * @param suspend   true refuses requests
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ReceiverSpec(String type, String interval, List<String> events, List<ResourceSelector> resources,
                           LocalObjectReference secretRef, Boolean suspend) {

    /** An entry of {@code spec.resources}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ResourceSelector(String apiVersion, String kind, String name, String namespace,
                                   Map<String, String> matchLabels) {
    }
}

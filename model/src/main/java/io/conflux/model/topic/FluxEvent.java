package io.conflux.model.topic;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * Value of {@code conflux.events}: Flux's event shape ({@code github.com/fluxcd/pkg/apis/event/v1beta1.Event}),
 * the payload Flux's {@code generic} provider posts.
 *
 * @param involvedObject      the object the event is about
 * @param severity            {@code info} or {@code error}
 * @param timestamp           RFC 3339
 * @param message             human-readable text
 * @param reason              CamelCase reason, e.g. {@code ReconciliationSucceeded}
 * @param metadata            extra data; keys prefixed with the API group, e.g.
 *                            {@code kustomize.toolkit.fluxcd.io/revision}
 * @param reportingController e.g. {@code conflux-applier}
 * @param reportingInstance   the reporting replica
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record FluxEvent(InvolvedObject involvedObject, String severity, String timestamp, String message,
                        String reason, Map<String, String> metadata, String reportingController,
                        String reportingInstance) {

    public static final String INFO = "info";
    public static final String ERROR = "error";

    /** {@code corev1.ObjectReference} as Flux fills it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record InvolvedObject(String kind, String namespace, String name, String uid, String apiVersion,
                                 String resourceVersion) {
    }
}

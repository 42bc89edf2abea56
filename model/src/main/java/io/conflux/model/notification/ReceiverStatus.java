package io.conflux.model.notification;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.conflux.model.meta.Condition;
import java.util.List;

/** {@code Receiver.status}: conditions and the {@code /hook/<digest>} path computed as Flux does. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ReceiverStatus(Long observedGeneration, List<Condition> conditions, String webhookPath) {
}

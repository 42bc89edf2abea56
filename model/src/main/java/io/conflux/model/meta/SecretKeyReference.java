package io.conflux.model.meta;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/** Flux's {@code meta.SecretKeyReference}: a key of a Secret in the referrer's namespace (key may be null). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record SecretKeyReference(String name, String key) {
}

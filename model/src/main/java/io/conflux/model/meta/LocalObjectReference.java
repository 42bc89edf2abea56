package io.conflux.model.meta;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** Flux's {@code meta.LocalObjectReference}: an object in the referrer's namespace, by name. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record LocalObjectReference(String name) {
}

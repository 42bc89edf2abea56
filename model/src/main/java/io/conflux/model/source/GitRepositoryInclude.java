package io.conflux.model.source;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.conflux.model.meta.LocalObjectReference;

/** An entry of {@code GitRepository.spec.include}: another GitRepository's {@code fromPath} copied to {@code toPath}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record GitRepositoryInclude(LocalObjectReference repository, String fromPath, String toPath) {
}

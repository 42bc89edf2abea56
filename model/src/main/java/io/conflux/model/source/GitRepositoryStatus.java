package io.conflux.model.source;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.conflux.model.meta.Condition;
import java.util.List;

/** {@code GitRepository.status}: conditions and the last artifact (revision) seen. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record GitRepositoryStatus(Long observedGeneration, List<Condition> conditions, Artifact artifact) {
}

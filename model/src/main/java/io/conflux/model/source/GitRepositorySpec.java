package io.conflux.model.source;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.conflux.model.meta.LocalObjectReference;
import java.util.List;

/**
 * {@code GitRepository.spec}, Flux {@code source.toolkit.fluxcd.io/v1}.
 *
 * @param url       repository URL (https, ssh or file)
 * @param ref       what to check out; null means branch {@code master}, as Flux defaults
 * @param interval  poll interval as a Go duration, e.g. {@code 1m}, {@code 5m0s}
 * @param timeout   timeout of Git operations, Go duration (Flux default {@code 60s})
 * @param secretRef Secret with credentials
 * @param suspend   true stops polling
 * @param ignore    extra .sourceignore patterns
 * @param include   other GitRepositories' paths to include
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record GitRepositorySpec(String url, GitRepositoryRef ref, String interval, String timeout,
                                LocalObjectReference secretRef, Boolean suspend, String ignore,
                                List<GitRepositoryInclude> include) {

    /** @return whether polling is suspended */
    public boolean suspended() {
        return Boolean.TRUE.equals(suspend);
    }
}

package io.conflux.model.source;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * {@code GitRepository.spec.ref}. Precedence, as in Flux: {@code commit}, then {@code name}, {@code semver},
 * {@code tag}, {@code branch}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record GitRepositoryRef(String branch, String tag, String semver, String name, String commit) {

    /** The ref Flux uses when none is given: branch {@code master}. */
    public static final GitRepositoryRef DEFAULT = new GitRepositoryRef("master", null, null, null, null);

    /** @return a ref tracking the given branch */
    public static GitRepositoryRef branch(String branch) {
        return new GitRepositoryRef(branch, null, null, null, null);
    }
}

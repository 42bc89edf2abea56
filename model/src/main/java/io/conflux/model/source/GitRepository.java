package io.conflux.model.source;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/** Flux's {@code GitRepository} ({@code source.toolkit.fluxcd.io/v1}): a Git source Conflux polls and fetches. */
@Group(GitRepository.GROUP)
@Version(GitRepository.VERSION)
@Kind(GitRepository.KIND)
@Plural("gitrepositories")
public class GitRepository extends CustomResource<GitRepositorySpec, GitRepositoryStatus> implements Namespaced {
    public static final String GROUP = "source.toolkit.fluxcd.io";
    public static final String VERSION = "v1";
    public static final String KIND = "GitRepository";
}

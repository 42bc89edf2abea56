package io.conflux.model.source;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/** Flux's {@code HelmRepository} ({@code source.toolkit.fluxcd.io/v1}): an HTTP chart index or an OCI registry. */
@Group(GitRepository.GROUP)
@Version("v1")
@Kind("HelmRepository")
@Plural("helmrepositories")
public class HelmRepository extends CustomResource<HelmRepositorySpec, GitRepositoryStatus> implements Namespaced {
}

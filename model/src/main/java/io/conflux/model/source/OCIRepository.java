package io.conflux.model.source;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Flux's {@code OCIRepository} ({@code source.toolkit.fluxcd.io/v1}, GA since Flux 2.6; {@code v1beta2} is served
 * too and converted by the API server): an artifact in an OCI registry, e.g. one pushed by {@code flux push artifact}.
 * Follows source-controller's {@code docs/spec/v1/ocirepositories.md}. Its revision is {@code <tag>@sha256:<manifest
 * digest>}, or {@code sha256:<digest>} for {@code spec.ref.digest}.
 */
@Group(GitRepository.GROUP)
@Version(OCIRepository.VERSION)
@Kind(OCIRepository.KIND)
@Plural("ocirepositories")
public class OCIRepository extends CustomResource<OCIRepositorySpec, OCIRepositoryStatus> implements Namespaced {
    /** The storage version Conflux reads and writes status at. */
    public static final String VERSION = "v1";
    /** The kind, as in {@code sourceRef.kind} and in record keys {@code OCIRepository/<ns>/<name>}. */
    public static final String KIND = "OCIRepository";
}

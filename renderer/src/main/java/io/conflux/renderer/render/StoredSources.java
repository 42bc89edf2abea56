package io.conflux.renderer.render;

import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.ExternalArtifact;
import io.conflux.model.source.GitRepository;
import io.conflux.renderer.persist.SourceArtifact;
import io.smallrye.mutiny.Uni;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The latest stored artifacts ({@code source_artifact}) of the GitRepositories and ExternalArtifacts of one namespace, read once inside an
 * object's serialized job so that a render and its record agree on one revision per source, whatever arrives
 * meanwhile. As kustomize-controller reads the artifact source-controller stored, not a revision seen elsewhere.
 *
 * @param artifacts by source key (GitRepository, ExternalArtifact): URL, revision and sequence number
 */
record StoredSources(Map<ObjectKey, GitSources.At> artifacts) {

    /** None stored. */
    static final StoredSources NONE = new StoredSources(Map.of());

    /**
     * Reads the artifacts of {@code namespace}; must run in a Panache session.
     *
     * @return a Uni of the snapshot (failing with the database's failure)
     */
    static Uni<StoredSources> of(String namespace) {
        return SourceArtifact.inNamespace(namespace).map(rows -> new StoredSources(rows.stream()
                .filter(r -> GitRepository.KIND.equals(r.kind) || ExternalArtifact.KIND.equals(r.kind))
                .collect(Collectors.toMap(
                r -> new ObjectKey(r.kind, r.namespace, r.name),
                r -> new GitSources.At(r.url, r.revision, r.sequence)))));
    }

    /** @return the latest stored artifact of GitRepository or ExternalArtifact {@code source}, if one is stored */
    Optional<GitSources.At> at(ObjectKey source) {
        return Optional.ofNullable(artifacts.get(source));
    }
}

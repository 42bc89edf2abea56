package io.conflux.renderer.render;

import io.conflux.model.meta.ObjectKey;
import io.conflux.renderer.persist.SourceArtifact;
import io.conflux.renderer.persist.SourceContent;
import io.smallrye.mutiny.Uni;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The latest stored artifacts ({@code source_artifact}) of the sources of one namespace (every kind: GitRepository,
 * OCIRepository, Bucket, ExternalArtifact, …), read once inside an object's serialized job so that a render and its record agree on one
 * revision per source, whatever arrives meanwhile. As kustomize-controller reads the artifact source-controller
 * stored, not a revision seen elsewhere. For an OCIRepository or Bucket the render also needs the stored content
 * ({@code source_content}), read with {@link #withContent}.
 *
 * @param artifacts by source key: URL, revision and sequence number
 * @param contents  by source key: the stored content of OCIRepositories and Buckets read with {@link #withContent}
 */
record StoredSources(Map<ObjectKey, GitSources.At> artifacts, Map<ObjectKey, SourceContent> contents) {

    /** None stored. */
    static final StoredSources NONE = new StoredSources(Map.of(), Map.of());

    /**
     * Reads the artifacts of {@code namespace}; must run in a Panache session.
     *
     * @return a Uni of the snapshot (failing with the database's failure)
     */
    static Uni<StoredSources> of(String namespace) {
        return SourceArtifact.inNamespace(namespace).map(rows -> new StoredSources(rows.stream().collect(Collectors.toMap(
                r -> new ObjectKey(r.kind, r.namespace, r.name),
                r -> new GitSources.At(r.url, r.revision, r.sequence))), Map.of()));
    }

    /**
     * Adds the stored content of {@code source} (an OCIRepository or Bucket); must run in a Panache session.
     *
     * @return a Uni of the snapshot with it (unchanged when none is stored)
     */
    Uni<StoredSources> withContent(ObjectKey source) {
        return SourceContent.of(source).map(content -> {
            if (content == null) {
                return this;
            }
            Map<ObjectKey, SourceContent> more = new HashMap<>(contents);
            more.put(source, content);
            return new StoredSources(artifacts, Map.copyOf(more));
        });
    }

    /** @return the latest stored artifact of {@code source}, if one is stored */
    Optional<GitSources.At> at(ObjectKey source) {
        return Optional.ofNullable(artifacts.get(source));
    }

    /** @return the stored content of {@code source}, if it was read with {@link #withContent} */
    Optional<SourceContent> content(ObjectKey source) {
        return Optional.ofNullable(contents.get(source));
    }
}

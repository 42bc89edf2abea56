package io.conflux.model.source;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * Flux's {@code meta.Artifact} as written in source status.
 *
 * @param revision       e.g. {@code main@sha1:0123...}
 * @param digest         e.g. {@code sha256:...}; Conflux has no tarball, may be null
 * @param lastUpdateTime RFC 3339 time the revision was first seen
 * @param url            where the artifact can be fetched; for Conflux the repository URL
 * @param path           artifact path; Conflux leaves it null
 * @param size           bytes of the stored artifact tarball, null when unknown (OCIRepository, Bucket)
 * @param metadata       Flux's {@code artifact.metadata}: annotations of the artifact, e.g. an OCIRepository
 *                       manifest's ({@code org.opencontainers.image.*}) or {@code org.opencontainers.image.revision},
 *                       the origin revision source-watcher sets on an ExternalArtifact from {@code originRevision};
 *                       null when none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Artifact(String revision, String digest, String lastUpdateTime, String url, String path, Long size,
                       Map<String, String> metadata) {

    /** An artifact without size or metadata (GitRepository, HelmRepository). */
    public Artifact(String revision, String digest, String lastUpdateTime, String url, String path) {
        this(revision, digest, lastUpdateTime, url, path, null, null);
    }

    /** An artifact with metadata and no size (an ExternalArtifact's). */
    public Artifact(String revision, String digest, String lastUpdateTime, String url, String path,
                    Map<String, String> metadata) {
        this(revision, digest, lastUpdateTime, url, path, null, metadata);
    }
}

package io.conflux.model.source;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * Flux's {@code meta.Artifact} as written in source status.
 *
 * @param revision       e.g. {@code main@sha1:0123...}
 * @param digest         e.g. {@code sha256:...}, the digest of the stored content; required by Flux's v1 schema, so a
 *                       status artifact is written only once it is known
 * @param lastUpdateTime RFC 3339 time the revision was first seen
 * @param url            where the artifact can be fetched; for Conflux the repository URL
 * @param path           artifact path in source-controller's storage layout, {@link #path(String, String, String,
 *                       String)}; required by Flux's v1 schema
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

    /**
     * The artifact path as source-controller's storage names it ({@code Storage.NewArtifactFor}: the lower-case kind,
     * namespace, name, then a file name): {@code <kind>/<namespace>/<name>/<digest hex>.tar.gz}, e.g.
     * {@code gitrepository/flux-system/podinfo/4f0b…e1.tar.gz}. Conflux keeps the content in PostgreSQL; the path names
     * it the way Flux's {@code status.artifact.path} does.
     *
     * @param kind      the source's kind, e.g. {@code GitRepository}
     * @param namespace the source's namespace
     * @param name      the source's name
     * @param digest    the content's digest, {@code <algorithm>:<hex>}; the part after the colon names the file
     * @return the path; null when {@code digest} is null (no content stored yet)
     */
    public static String path(String kind, String namespace, String name, String digest) {
        if (digest == null) {
            return null;
        }
        return kind.toLowerCase(java.util.Locale.ROOT) + "/" + namespace + "/" + name + "/"
                + digest.substring(digest.indexOf(':') + 1) + ".tar.gz";
    }

    /** An artifact with metadata and no size (an ExternalArtifact's). */
    public Artifact(String revision, String digest, String lastUpdateTime, String url, String path,
                    Map<String, String> metadata) {
        this(revision, digest, lastUpdateTime, url, path, null, metadata);
    }
}

package io.conflux.artifacts;

import java.util.Map;

/**
 * The content of an OCIRepository or Bucket at one revision, as the renderer stores it.
 *
 * @param revision the revision ({@code <tag>@sha256:…}, {@code sha256:…})
 * @param tarball  the artifact, a tar+gzip of its files (an OCI layer as pulled; a Bucket's objects packed
 *                 reproducibly)
 * @param metadata Flux's {@code artifact.metadata} (an OCI manifest's annotations), never null
 */
public record FetchedArtifact(String revision, byte[] tarball, Map<String, String> metadata) {

    /** @return {@code sha256:<hex>} of the tarball, Flux's {@code artifact.digest} */
    public String digest() {
        return Digests.sha256(tarball);
    }
}

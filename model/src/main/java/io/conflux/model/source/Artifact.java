package io.conflux.model.source;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Flux's {@code meta.Artifact} as written in source status.
 *
 * @param revision       e.g. {@code main@sha1:0123...}
 * @param digest         e.g. {@code sha256:...}; Conflux has no tarball, may be null
 * @param lastUpdateTime RFC 3339 time the revision was first seen
 * @param url            where the artifact can be fetched; for Conflux the repository URL
 * @param path           artifact path; Conflux leaves it null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Artifact(String revision, String digest, String lastUpdateTime, String url, String path) {
}

package io.conflux.model.source;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * {@code OCIRepository.spec.ref}. Flux's precedence: {@code digest}, then {@code semver} (with {@code semverFilter}),
 * then {@code tag}; none means tag {@code latest}.
 *
 * @param digest       {@code sha256:<hex>} of a manifest; the revision is then {@code sha256:<hex>}
 * @param semver       a Masterminds range; the highest matching tag is selected, revision {@code <tag>@sha256:…}
 * @param semverFilter a regular expression the tags must match before the semver range is applied
 * @param tag          a tag; revision {@code <tag>@sha256:<manifest digest>}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record OCIRepositoryRef(String digest, String semver, String semverFilter, String tag) {
    /** Flux's default: tag {@code latest}. */
    public static final OCIRepositoryRef DEFAULT = new OCIRepositoryRef(null, null, null, "latest");
}

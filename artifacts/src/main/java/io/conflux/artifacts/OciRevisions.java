package io.conflux.artifacts;

import io.conflux.git.SemverConstraint;
import io.conflux.git.SemverVersion;
import io.conflux.model.source.OCIRepositoryRef;
import java.util.regex.Pattern;

/**
 * An OCIRepository's revision as source-controller computes it ({@code getArtifactRef}, {@code getRevision}):
 * {@code spec.ref.digest} → {@code sha256:<hex>} (not looked up); {@code spec.ref.semver} → the highest tag that
 * parses as a semantic version, matches {@code semverFilter} (a regular expression, when given) and the range, then
 * {@code <tag>@sha256:<manifest digest>}; {@code spec.ref.tag} (default {@code latest}) →
 * {@code <tag>@sha256:<manifest digest>}. Blocking (registry calls).
 */
public final class OciRevisions {
    private OciRevisions() {
    }

    /**
     * @param client the registry
     * @param url    the OCIRepository's URL
     * @param ref    the ref ({@link OCIRepositoryRef#DEFAULT} when absent)
     * @return the revision, e.g. {@code latest@sha256:<hex>}, {@code 6.1.0@sha256:<hex>}, {@code sha256:<hex>}
     * @throws ArtifactException {@code OCIArtifactPullFailed} when the registry fails, the tag does not exist, no tag
     *                           matches the range ({@code no match found for semver: <range>}) or the range or filter
     *                           does not parse; {@code AuthenticationFailed} when access is refused
     */
    public static String resolve(OciClient client, OciUrl url, OCIRepositoryRef ref) {
        OCIRepositoryRef r = ref == null ? OCIRepositoryRef.DEFAULT : ref;
        if (present(r.digest())) {
            if (!Digests.valid(r.digest())) {
                throw new ArtifactException(ArtifactException.OCI_PULL_FAILED,
                        "spec.ref.digest '" + r.digest() + "' is not sha256:<64 hex>");
            }
            return r.digest();
        }
        String tag = present(r.semver()) ? semverTag(client, url, r) : present(r.tag()) ? r.tag() : "latest";
        return tag + "@" + client.manifestDigest(url.repository(), tag);
    }

    /** @return the manifest digest of a revision ({@code <tag>@sha256:…} or {@code sha256:…}) */
    public static String digestOf(String revision) {
        int at = revision.lastIndexOf('@');
        return at < 0 ? revision : revision.substring(at + 1);
    }

    private static String semverTag(OciClient client, OciUrl url, OCIRepositoryRef r) {
        SemverConstraint constraint;
        Pattern filter;
        try {
            constraint = SemverConstraint.parse(r.semver());
            filter = present(r.semverFilter()) ? Pattern.compile(r.semverFilter()) : null;
        } catch (IllegalArgumentException e) {
            throw new ArtifactException(ArtifactException.OCI_PULL_FAILED,
                    "semver '" + r.semver() + "' parse error: " + e.getMessage());
        }
        String bestTag = null;
        SemverVersion best = null;
        for (String tag : client.tags(url.repository())) {
            if (filter != null && !filter.matcher(tag).find()) {
                continue;
            }
            SemverVersion v = SemverVersion.parse(tag).orElse(null);
            if (v != null && constraint.matches(v) && (best == null || v.compareTo(best) > 0)) {
                best = v;
                bestTag = tag;
            }
        }
        if (bestTag == null) {
            throw new ArtifactException(ArtifactException.OCI_PULL_FAILED, "no match found for semver: " + r.semver());
        }
        return bestTag;
    }

    private static boolean present(String s) {
        return s != null && !s.isBlank();
    }
}

package io.conflux.renderer.render;

import io.conflux.helm.HelmException;
import java.util.regex.Pattern;

/**
 * The version a chart from an {@code OCIRepository} renders with, as helm-controller's
 * {@code mutateChartWithSourceRevision} makes it: the chart's {@code Chart.yaml} version with the first 12 hex
 * characters of the artifact digest as semver build metadata (replacing any), so that a mutable tag pushed again is a
 * new release. A revision {@code <tag>@<algo>:<hex>} whose tag is a semver version (OCI tags write {@code +} as
 * {@code _}) must name the chart's version (build metadata ignored, as semver equality does); any other revision
 * ({@code <algo>:<hex>}, or a non-semver tag before the digest) contributes its digest only. A pure decision.
 *
 * @param version the version to render with, e.g. {@code 6.5.0+a1b2c3d4e5f6}
 * @param digest  the artifact digest kept as the release's {@code ociDigest}, e.g. {@code sha256:a1b2…}, or the whole
 *                revision when it carries no semver tag (helm-controller keeps it so)
 */
record OciChartVersion(String version, String digest) {
    private static final Pattern SEMVER = Pattern.compile(
            "v?(0|[1-9]\\d*)(\\.(0|[1-9]\\d*)){0,2}(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?");
    private static final int DIGEST_PREFIX = 12;

    /**
     * @param chartVersion the chart's {@code Chart.yaml} version
     * @param revision     the OCIRepository artifact revision
     * @return the mutated version and the digest
     * @throws HelmException when the chart version is not semver, the revision has no {@code <algo>:<hex>} digest of
     *                       at least 12 characters, or its semver tag differs from the chart version
     */
    static OciChartVersion of(String chartVersion, String revision) {
        if (!SEMVER.matcher(chartVersion).matches()) {
            throw new HelmException("invalid chart version " + chartVersion);
        }
        int at = revision.indexOf('@');
        String tag = at < 0 ? null : revision.substring(0, at).replace('_', '+');
        if (tag != null && SEMVER.matcher(tag).matches()) {
            String digest = revision.substring(at + 1);
            if (!core(tag).equals(core(chartVersion))) {
                throw new HelmException("artifact revision " + revision.substring(0, at) + " does not match chart version "
                        + chartVersion);
            }
            return new OciChartVersion(core(chartVersion) + "+" + hex(digest, revision), digest);
        }
        return new OciChartVersion(core(chartVersion) + "+" + hex(revision, revision), revision);
    }

    /** @return the version without a leading {@code v} and without build metadata */
    private static String core(String version) {
        String v = version.startsWith("v") ? version.substring(1) : version;
        int plus = v.indexOf('+');
        return plus < 0 ? v : v.substring(0, plus);
    }

    /** @return the first 12 characters after the one {@code :} of {@code digest} */
    private static String hex(String digest, String revision) {
        String[] pair = digest.split(":", -1);
        if (pair.length != 2 || pair[1].length() < DIGEST_PREFIX) {
            throw new HelmException("invalid artifact revision " + revision);
        }
        return pair[1].substring(0, DIGEST_PREFIX);
    }
}

package io.conflux.git;

import io.conflux.model.source.Revision;
import java.util.Map;

/**
 * Resolves {@code GitRepository.spec.ref.semver} as Flux's source-controller does ({@code CheckoutSemVer}): among
 * the remote's tags whose names parse as semantic versions ({@link SemverVersion}) and satisfy the constraint
 * ({@link SemverConstraint}), the highest version wins; the revision is {@code <tag>@sha1:<commit>}.
 */
public final class SemverRefs {
    private static final String TAGS = "refs/tags/";

    private SemverRefs() {
    }

    /**
     * @param refs       the remote's refs ({@link RemoteRefs#list})
     * @param constraint a Masterminds constraint, e.g. {@code >=1.0.0 <2.0.0}
     * @return the revision of the newest matching tag, e.g. {@code v1.1.0@sha1:<hex>}
     * @throws IllegalArgumentException when the constraint does not parse
     * @throws GitException             when no tag matches ({@code no match found for semver: <constraint>})
     */
    public static Revision resolve(RemoteRefs refs, String constraint) {
        SemverConstraint c = SemverConstraint.parse(constraint);
        String bestTag = null;
        SemverVersion best = null;
        for (Map.Entry<String, String> e : refs.refs().entrySet()) {
            if (!e.getKey().startsWith(TAGS) || e.getKey().endsWith("^{}")) {
                continue;
            }
            String tag = e.getKey().substring(TAGS.length());
            SemverVersion v = SemverVersion.parse(tag).orElse(null);
            if (v != null && c.matches(v) && (best == null || v.compareTo(best) > 0)) {
                best = v;
                bestTag = tag;
            }
        }
        if (bestTag == null) {
            throw new GitException("no match found for semver: " + constraint);
        }
        return new Revision(bestTag, refs.refs().get(TAGS + bestTag));
    }
}

package io.conflux.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conflux.model.source.Revision;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SemverRefsTest {
    private static final String A = "a".repeat(40);
    private static final String B = "b".repeat(40);
    private static final String C = "c".repeat(40);
    private static final String D = "d".repeat(40);

    private static RemoteRefs refs() {
        Map<String, String> refs = new LinkedHashMap<>();
        refs.put("refs/heads/main", D);
        refs.put("refs/tags/v1.0.0", A);
        refs.put("refs/tags/v1.1.0", B);
        refs.put("refs/tags/v2.0.0-rc.1", C);
        refs.put("refs/tags/not-a-version", D);
        return new RemoteRefs("file:///r", refs);
    }

    @Test
    void rangePicksNewestMatchingReleaseAndSkipsPrereleases() {
        assertThat(SemverRefs.resolve(refs(), ">=1.0.0 <2.0.0")).isEqualTo(new Revision("v1.1.0", B));
        assertThat(SemverRefs.resolve(refs(), ">=1.0.0")).hasToString("v1.1.0@sha1:" + B);
        assertThat(SemverRefs.resolve(refs(), ">=2.0.0-0")).isEqualTo(new Revision("v2.0.0-rc.1", C));
        assertThat(SemverRefs.resolve(refs(), "~1.0")).isEqualTo(new Revision("v1.0.0", A));
        assertThat(SemverRefs.resolve(refs(), "1.0.x || 1.1.x")).isEqualTo(new Revision("v1.1.0", B));
        assertThat(SemverRefs.resolve(refs(), "*")).isEqualTo(new Revision("v1.1.0", B));
        assertThatThrownBy(() -> SemverRefs.resolve(refs(), ">=3.0.0"))
                .isInstanceOf(GitException.class).hasMessage("no match found for semver: >=3.0.0");
        assertThatThrownBy(() -> SemverRefs.resolve(refs(), "nonsense")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void constraintOperatorsFollowMasterminds() {
        assertThat(matches("^1.2.3", "1.9.0")).isTrue();
        assertThat(matches("^1.2.3", "2.0.0")).isFalse();
        assertThat(matches("^0.2.3", "0.2.9")).isTrue();
        assertThat(matches("^0.2.3", "0.3.0")).isFalse();
        assertThat(matches("~1.2.3", "1.2.9")).isTrue();
        assertThat(matches("~1.2.3", "1.3.0")).isFalse();
        assertThat(matches("1.2 - 1.4.5", "1.4.5")).isTrue();
        assertThat(matches("1.2 - 1.4.5", "1.4.6")).isFalse();
        assertThat(matches(">= 1.0, < 1.5", "1.4.0")).isTrue();
        assertThat(matches(">1.2", "1.2.5")).isFalse();
        assertThat(matches(">1.2", "1.3.0")).isTrue();
        assertThat(matches("<=1.2", "1.2.7")).isTrue();
        assertThat(matches("!=1.2.3", "1.2.3")).isFalse();
        assertThat(matches("1.2.3", "v1.2.3")).isTrue();
    }

    @Test
    void versionsOrderBySemverPrecedence() {
        assertThat(v("1.0.0-alpha")).isLessThan(v("1.0.0-alpha.1"));
        assertThat(v("1.0.0-alpha.1")).isLessThan(v("1.0.0-alpha.beta"));
        assertThat(v("1.0.0-beta.2")).isLessThan(v("1.0.0-beta.11"));
        assertThat(v("1.0.0-rc.1")).isLessThan(v("1.0.0"));
        assertThat(v("v1.2")).isEqualTo(v("1.2.0"));
        assertThat(SemverVersion.parse("release-1")).isEmpty();
    }

    private static boolean matches(String constraint, String version) {
        return SemverConstraint.parse(constraint).matches(v(version));
    }

    private static SemverVersion v(String text) {
        return SemverVersion.parse(text).orElseThrow();
    }
}

package io.conflux.model.source;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Git revision in Flux's format ({@code github.com/fluxcd/pkg/git}): {@code <ref>@sha1:<40 hex>}, or
 * {@code sha1:<40 hex>} when the ref is a bare commit.
 *
 * @param refName short ref name ({@code main}, {@code v1.2.3}), or null for a bare commit
 * @param sha     40 lower-case hex digits
 */
public record Revision(String refName, String sha) {
    private static final Pattern FORMAT = Pattern.compile("(?:(.+)@)?sha1:([0-9a-f]{40})");

    public Revision {
        if (sha == null || !sha.matches("[0-9a-f]{40}")) {
            throw new IllegalArgumentException("not a sha1: " + sha);
        }
    }

    /** Parses {@code main@sha1:<hex>} or {@code sha1:<hex>}; throws IllegalArgumentException otherwise. */
    public static Revision parse(String text) {
        Matcher m = FORMAT.matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a Flux revision <ref>@sha1:<hex>: " + text);
        }
        return new Revision(m.group(1), m.group(2));
    }

    /** @return {@code refName@sha1:sha}, or {@code sha1:sha} without a ref */
    @Override
    public String toString() {
        return refName == null ? "sha1:" + sha : refName + "@sha1:" + sha;
    }
}

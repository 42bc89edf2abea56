package io.conflux.git;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A semantic version as Masterminds/semver v3's lenient {@code NewVersion} reads Git tags for Flux's
 * {@code GitRepository.spec.ref.semver}: an optional {@code v}, then {@code major[.minor[.patch]]} (missing parts
 * are 0), an optional {@code -prerelease} and {@code +metadata}. Ordered by SemVer 2.0.0 precedence (metadata
 * ignored; a prerelease sorts before its release; numeric identifiers compare numerically and before
 * alphanumeric ones).
 *
 * @param major      major number
 * @param minor      minor number
 * @param patch      patch number
 * @param prerelease dot-separated prerelease identifiers, or the empty string
 * @param metadata   build metadata, or the empty string
 */
public record SemverVersion(long major, long minor, long patch, String prerelease, String metadata)
        implements Comparable<SemverVersion> {

    private static final String IDENTS = "[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*";
    private static final Pattern LENIENT = Pattern.compile(
            "v?([0-9]+)(?:\\.([0-9]+))?(?:\\.([0-9]+))?(?:-(" + IDENTS + "))?(?:\\+(" + IDENTS + "))?");

    /**
     * @param text e.g. {@code v1.2.3}, {@code 1.2}, {@code 2.0.0-rc.1}
     * @return the version, or empty when the text is not a (lenient) semantic version
     */
    public static Optional<SemverVersion> parse(String text) {
        Matcher m = LENIENT.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new SemverVersion(Long.parseLong(m.group(1)), num(m.group(2)), num(m.group(3)),
                    m.group(4) == null ? "" : m.group(4), m.group(5) == null ? "" : m.group(5)));
        } catch (NumberFormatException tooLarge) {
            return Optional.empty();
        }
    }

    private static long num(String s) {
        return s == null ? 0 : Long.parseLong(s);
    }

    /** @return whether this version has a prerelease part */
    public boolean isPrerelease() {
        return !prerelease.isEmpty();
    }

    @Override
    public int compareTo(SemverVersion o) {
        int c = Long.compare(major, o.major);
        if (c == 0) {
            c = Long.compare(minor, o.minor);
        }
        if (c == 0) {
            c = Long.compare(patch, o.patch);
        }
        return c != 0 ? c : comparePrerelease(prerelease, o.prerelease);
    }

    private static int comparePrerelease(String a, String b) {
        if (a.equals(b)) {
            return 0;
        }
        if (a.isEmpty()) {
            return 1;
        }
        if (b.isEmpty()) {
            return -1;
        }
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            boolean xn = x[i].matches("[0-9]+");
            boolean yn = y[i].matches("[0-9]+");
            int c;
            if (xn && yn) {
                c = new java.math.BigInteger(x[i]).compareTo(new java.math.BigInteger(y[i]));
            } else if (xn) {
                c = -1;
            } else if (yn) {
                c = 1;
            } else {
                c = x[i].compareTo(y[i]);
            }
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length);
    }

    /** @return {@code major.minor.patch[-prerelease][+metadata]} */
    @Override
    public String toString() {
        return major + "." + minor + "." + patch + (prerelease.isEmpty() ? "" : "-" + prerelease)
                + (metadata.isEmpty() ? "" : "+" + metadata);
    }
}

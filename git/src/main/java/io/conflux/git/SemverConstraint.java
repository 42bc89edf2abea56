package io.conflux.git;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A version constraint in the syntax of Masterminds/semver v3 ({@code NewConstraint}), which Flux's
 * {@code GitRepository.spec.ref.semver} uses: {@code ||}-separated alternatives, each a list of comparisons
 * separated by spaces or commas that must all hold. Comparisons: {@code =}, {@code !=}, {@code >}, {@code <},
 * {@code >=} ({@code =>}), {@code <=} ({@code =<}), tilde {@code ~1.2.3} ({@code >=1.2.3 <1.3.0}, also
 * {@code ~>}), caret {@code ^1.2.3} ({@code >=1.2.3 <2.0.0}; {@code ^0.2.3} is {@code <0.3.0}, {@code ^0.0.3}
 * is {@code <0.0.4}), hyphen ranges {@code 1.2 - 1.4.5}, and wildcards {@code x}, {@code X}, {@code *} or missing
 * parts ({@code 1.2.x}, {@code 1.2}, {@code *}).
 *
 * <p>As in Masterminds v3, a prerelease version (e.g. {@code 2.0.0-rc.1}) only satisfies a comparison whose own
 * version has a prerelease part, so {@code >=1.0.0} never picks a release candidate.
 */
public final class SemverConstraint {
    private static final String PART = "[0-9]+|[xX*]";
    private static final String IDENTS = "[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*";
    private static final String VERSION = "v?(?:" + PART + ")(?:\\.(?:" + PART + "))?(?:\\.(?:" + PART + "))?"
            + "(?:-" + IDENTS + ")?(?:\\+" + IDENTS + ")?";
    private static final Pattern HYPHEN = Pattern.compile("(" + VERSION + ")\\s+-\\s+(" + VERSION + ")");
    private static final Pattern OPERATOR_SPACE = Pattern.compile("(=>|=<|>=|<=|!=|~>|[=<>~^])\\s+");
    private static final Pattern TERM = Pattern.compile("(=>|=<|>=|<=|!=|~>|[=<>~^])?(" + VERSION + ")");
    private static final Pattern PARTS = Pattern.compile(
            "v?(" + PART + ")(?:\\.(" + PART + "))?(?:\\.(" + PART + "))?(?:-(" + IDENTS + "))?(?:\\+(?:" + IDENTS + "))?");

    private final String text;
    private final List<List<Comparison>> alternatives;

    private SemverConstraint(String text, List<List<Comparison>> alternatives) {
        this.text = text;
        this.alternatives = alternatives;
    }

    /**
     * @param text e.g. {@code >=1.0.0 <2.0.0}, {@code ~1.2}, {@code ^0.3 || 1.x}
     * @return the parsed constraint
     * @throws IllegalArgumentException when the text is not a Masterminds constraint
     */
    public static SemverConstraint parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty semver constraint");
        }
        List<List<Comparison>> alternatives = new ArrayList<>();
        for (String alternative : text.split("\\|\\|")) {
            String s = HYPHEN.matcher(alternative.trim()).replaceAll(">=$1 <=$2");
            s = OPERATOR_SPACE.matcher(s).replaceAll("$1");
            List<Comparison> all = new ArrayList<>();
            for (String token : s.split("[\\s,]+")) {
                if (token.isEmpty()) {
                    continue;
                }
                Matcher m = TERM.matcher(token);
                if (!m.matches()) {
                    throw new IllegalArgumentException("improper semver constraint: " + text);
                }
                all.add(Comparison.of(m.group(1) == null ? "" : m.group(1), m.group(2)));
            }
            if (all.isEmpty()) {
                throw new IllegalArgumentException("improper semver constraint: " + text);
            }
            alternatives.add(all);
        }
        return new SemverConstraint(text, alternatives);
    }

    /** @return whether {@code v} satisfies one of the alternatives */
    public boolean matches(SemverVersion v) {
        return alternatives.stream().anyMatch(all -> all.stream().allMatch(c -> c.test(v)));
    }

    /** @return the constraint as written */
    @Override
    public String toString() {
        return text;
    }

    /**
     * One comparison; {@code minorDirty}/{@code patchDirty} mark a wildcard or missing part (whose number is 0).
     */
    private record Comparison(String op, SemverVersion c, boolean anyMajor, boolean minorDirty, boolean patchDirty) {

        static Comparison of(String op, String version) {
            Matcher m = PARTS.matcher(version);
            if (!m.matches()) {
                throw new IllegalArgumentException("improper semver constraint version: " + version);
            }
            boolean anyMajor = wild(m.group(1));
            boolean minorDirty = anyMajor || m.group(2) == null || wild(m.group(2));
            boolean patchDirty = minorDirty || m.group(3) == null || wild(m.group(3));
            SemverVersion c = new SemverVersion(anyMajor ? 0 : Long.parseLong(m.group(1)),
                    minorDirty ? 0 : Long.parseLong(m.group(2)), patchDirty ? 0 : Long.parseLong(m.group(3)),
                    m.group(4) == null ? "" : m.group(4), "");
            return new Comparison(op, c, anyMajor, minorDirty, patchDirty);
        }

        private static boolean wild(String part) {
            return part.equals("x") || part.equals("X") || part.equals("*");
        }

        boolean test(SemverVersion v) {
            if (v.isPrerelease() && !c.isPrerelease()) {
                return false;
            }
            return switch (op) {
                case "", "=" -> dirty() ? tilde(v) : v.compareTo(c) == 0;
                case "!=" -> dirty() ? !tilde(v) : v.compareTo(c) != 0;
                case ">" -> greater(v);
                case "<" -> v.compareTo(c) < 0;
                case ">=", "=>" -> v.compareTo(c) >= 0;
                case "<=", "=<" -> lessOrEqual(v);
                case "~", "~>" -> tilde(v);
                case "^" -> caret(v);
                default -> throw new IllegalStateException(op);
            };
        }

        private boolean dirty() {
            return minorDirty || patchDirty;
        }

        private boolean greater(SemverVersion v) {
            if (anyMajor) {
                return false;
            }
            if (minorDirty) {
                return v.major() > c.major();
            }
            if (patchDirty) {
                return v.major() > c.major() || (v.major() == c.major() && v.minor() > c.minor());
            }
            return v.compareTo(c) > 0;
        }

        private boolean lessOrEqual(SemverVersion v) {
            if (anyMajor) {
                return true;
            }
            if (minorDirty) {
                return v.major() <= c.major();
            }
            if (patchDirty) {
                return v.major() < c.major() || (v.major() == c.major() && v.minor() <= c.minor());
            }
            return v.compareTo(c) <= 0;
        }

        /** {@code ~1.2.3}: {@code >=1.2.3 <1.3.0}; {@code ~1}: {@code >=1.0.0 <2.0.0}; {@code ~*}: anything. */
        private boolean tilde(SemverVersion v) {
            if (anyMajor) {
                return true;
            }
            if (v.compareTo(c) < 0) {
                return false;
            }
            if (minorDirty) {
                return v.major() == c.major();
            }
            return v.major() == c.major() && v.minor() == c.minor();
        }

        /** {@code ^1.2.3}: same major; {@code ^0.2.3}: same 0.minor; {@code ^0.0.3}: exactly 0.0.3 and its builds. */
        private boolean caret(SemverVersion v) {
            if (anyMajor) {
                return true;
            }
            if (v.compareTo(c) < 0) {
                return false;
            }
            if (c.major() > 0 || minorDirty) {
                return v.major() == c.major();
            }
            if (c.minor() > 0 || patchDirty) {
                return v.major() == 0 && v.minor() == c.minor();
            }
            return v.major() == 0 && v.minor() == 0 && v.patch() == c.patch();
        }
    }
}

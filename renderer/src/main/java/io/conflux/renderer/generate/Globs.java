package io.conflux.renderer.generate;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The two glob dialects source-watcher's copy operations use, as Java regular expressions over {@code /}-separated
 * relative paths:
 * <ul>
 *   <li>{@link #segment}: Go's {@code path.Match} for one path element (what {@code fs.Glob} matches each element
 *       with: {@code *} any run of non-separators — so {@code **} is no more than {@code *} — {@code ?} one
 *       non-separator, {@code [...]} a class, {@code [^...]} its negation, {@code \} an escape);</li>
 *   <li>{@link #doublestar}: {@code github.com/bmatcuk/doublestar/v4}'s {@code Match} (exclude patterns): as above
 *       per element, plus a whole element {@code **} matching zero or more directories, {@code {a,b}} alternatives and
 *       {@code [!...]} negation.</li>
 * </ul>
 */
final class Globs {
    private Globs() {
    }

    /**
     * @param pattern one path element's pattern
     * @return its regular expression
     * @throws IllegalArgumentException when the pattern is malformed (an unclosed {@code [}), naming it
     */
    static Pattern segment(String pattern) {
        return compile(pattern, element(pattern, false));
    }

    /**
     * @param pattern a doublestar pattern, e.g. {@code **}{@code /testdata/**} or {@code *.md}
     * @return its regular expression over a whole relative path
     * @throws IllegalArgumentException when the pattern is malformed, naming it
     */
    static Pattern doublestar(String pattern) {
        String[] parts = pattern.split("/", -1);
        StringBuilder re = new StringBuilder();
        boolean separatorPending = false;
        for (int i = 0; i < parts.length; i++) {
            boolean last = i == parts.length - 1;
            if ("**".equals(parts[i])) {
                if (last) {
                    re.append(i == 0 ? ".*" : "(?:/.*)?");
                } else {
                    if (separatorPending) {
                        re.append('/');
                    }
                    re.append("(?:.*/)?");
                }
                separatorPending = false;
                continue;
            }
            if (separatorPending) {
                re.append('/');
            }
            re.append(element(parts[i], true));
            separatorPending = true;
        }
        return compile(pattern, re.toString());
    }

    /** @return whether {@code path} has a glob metacharacter (source-watcher's {@code containsGlobChars}) */
    static boolean hasMeta(String path) {
        return path.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == ']');
    }

    private static Pattern compile(String pattern, String regex) {
        try {
            return Pattern.compile(regex, Pattern.DOTALL);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid glob pattern '" + pattern + "'", e);
        }
    }

    private static String element(String p, boolean braces) {
        StringBuilder re = new StringBuilder();
        int depth = 0;
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            switch (c) {
                case '*' -> re.append("[^/]*");
                case '?' -> re.append("[^/]");
                case '\\' -> {
                    if (i + 1 >= p.length()) {
                        throw new IllegalArgumentException("invalid glob pattern '" + p + "': trailing escape");
                    }
                    re.append(Pattern.quote(String.valueOf(p.charAt(++i))));
                }
                case '[' -> {
                    int end = p.indexOf(']', i + 2);
                    if (end < 0) {
                        throw new IllegalArgumentException("invalid glob pattern '" + p + "': unclosed '['");
                    }
                    String body = p.substring(i + 1, end);
                    boolean negate = body.startsWith("^") || braces && body.startsWith("!");
                    if (negate) {
                        body = body.substring(1);
                    }
                    re.append('[').append(negate ? "^/" : "").append(body.replace("\\", "\\\\").replace("[", "\\[")
                            .replace("&&", "\\&\\&")).append(']');
                    i = end;
                }
                case '{' -> {
                    if (braces) {
                        re.append("(?:");
                        depth++;
                    } else {
                        re.append("\\{");
                    }
                }
                case '}' -> {
                    if (braces && depth > 0) {
                        re.append(')');
                        depth--;
                    } else {
                        re.append("\\}");
                    }
                }
                case ',' -> re.append(braces && depth > 0 ? "|" : ",");
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        if (depth > 0) {
            throw new IllegalArgumentException("invalid glob pattern '" + p + "': unclosed '{'");
        }
        return re.toString();
    }
}

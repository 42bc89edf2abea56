package io.conflux.model.meta;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Go's {@code time.Duration} text form, which Flux uses for {@code interval}, {@code timeout} and
 * {@code retryInterval}: a sequence of decimal numbers with units {@code h}, {@code m}, {@code s}, {@code ms},
 * {@code us}/{@code µs}, {@code ns}, e.g. {@code 10m}, {@code 1h0m0s}, {@code 1.5s} (Go's {@code time.ParseDuration}).
 */
public final class GoDuration {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

    private GoDuration() {
    }

    /**
     * @param text a Go duration
     * @return the duration
     * @throws IllegalArgumentException when the text is not a Go duration
     */
    public static Duration parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty duration");
        }
        if (text.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = PART.matcher(text);
        int pos = 0;
        double nanos = 0;
        while (m.find() && m.start() == pos) {
            double value = Double.parseDouble(m.group(1));
            nanos += value * switch (m.group(2)) {
                case "h" -> 3_600e9;
                case "m" -> 60e9;
                case "s" -> 1e9;
                case "ms" -> 1e6;
                case "us", "µs" -> 1e3;
                default -> 1;
            };
            pos = m.end();
        }
        if (pos != text.length()) {
            throw new IllegalArgumentException("not a Go duration: " + text);
        }
        return Duration.ofNanos((long) nanos);
    }

    /** @return {@code text} parsed, or {@code fallback} when the text is null or empty */
    public static Duration parseOr(String text, Duration fallback) {
        return text == null || text.isEmpty() ? fallback : parse(text);
    }

    /** @return the duration as Go prints it for whole seconds, e.g. {@code 10m0s}, {@code 1h0m0s}, {@code 30s} */
    public static String format(Duration d) {
        long s = d.getSeconds();
        StringBuilder out = new StringBuilder();
        if (s >= 3600) {
            out.append(s / 3600).append('h');
        }
        if (s >= 60) {
            out.append((s % 3600) / 60).append('m');
        }
        return out.append(s % 60).append('s').toString();
    }
}

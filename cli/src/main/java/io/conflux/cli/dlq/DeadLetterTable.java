package io.conflux.cli.dlq;

import java.nio.charset.StandardCharsets;
import java.time.temporal.ChronoUnit;

/**
 * The lines {@code conflux dlq list} prints: a header, then one line per dead letter — where it is
 * ({@code <dlq topic>/<partition>@<offset>}), when it was dead-lettered (UTC, seconds), its key, where it came from
 * ({@code <topic>/<partition>@<offset>}, {@code ?} when the headers do not say), when it was replayed ({@code -} if
 * never), and the failure ({@code <exception class>: <reason>}, then {@code ; cause <class>: <message>} when there was
 * a cause); and the lines of {@code replay}. Never the value: it may hold secrets ({@link #value} is for
 * {@code --show-value}). Header text comes from whoever wrote the record, so line breaks and other control characters
 * are shown as spaces and {@code ?}.
 */
public final class DeadLetterTable {
    private static final String ROW = "%-40s %-20s %-48s %-36s %-20s %s%n";

    private DeadLetterTable() {
    }

    /** @return the header line, with its line break */
    public static String header() {
        return String.format(ROW, "DEAD LETTER", "TIME", "KEY", "ORIGIN", "REPLAYED", "REASON");
    }

    /**
     * @param letter the dead letter
     * @param mark   its replay marker, or null when it was not replayed
     * @return its line, with its line break
     */
    public static String row(DeadLetter letter, ReplayLog.Mark mark) {
        return String.format(ROW, clean(letter.id().toString()), letter.timestamp().truncatedTo(ChronoUnit.SECONDS),
                letter.key() == null ? "-" : clean(letter.keyText()),
                letter.origin() == null ? "?" : clean(letter.origin().toString()),
                mark == null ? "-" : mark.replayedAt().truncatedTo(ChronoUnit.SECONDS), reason(letter));
    }

    /** @return {@code <exception class>: <reason>[; cause <class>: <message>]}, one line */
    static String reason(DeadLetter letter) {
        StringBuilder s = new StringBuilder();
        s.append(letter.exceptionClass() == null ? "?" : letter.exceptionClass()).append(": ")
                .append(letter.reason() == null ? "(no dead-letter-reason header)" : letter.reason());
        if (letter.causeClass() != null || letter.cause() != null) {
            s.append("; cause ").append(letter.causeClass() == null ? "?" : letter.causeClass()).append(": ")
                    .append(letter.cause() == null ? "" : letter.cause());
        }
        return clean(s.toString());
    }

    /** @return {@code replayed <dead letter> key <key> -> <topic>/<partition>@<offset>}, as {@code replay} prints it */
    public static String replayed(Replayer.Replayed r) {
        return "replayed " + r.letter().id() + " key " + (r.letter().key() == null ? "-" : clean(r.letter().keyText()))
                + " -> " + r.mark().to();
    }

    /** @return {@code skipped <dead letter>: <why>}, as {@code replay} prints it */
    public static String skipped(ReplayPlan.Skipped s) {
        return "skipped " + s.letter().id() + ": " + clean(s.why());
    }

    /** @return the value as one indented line ({@code    value: <UTF-8 text>}), for {@code --show-value} */
    public static String value(DeadLetter letter) {
        return "    value: " + (letter.value() == null ? "(none)" : clean(new String(letter.value(), StandardCharsets.UTF_8)))
                + System.lineSeparator();
    }

    /** @return {@code text} with line breaks and tabs as spaces and other control characters as {@code ?} */
    static String clean(String text) {
        StringBuilder s = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (c == '\n' || c == '\r' || c == '\t') {
                s.append(' ');
            } else if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
                s.append('?');
            } else {
                s.appendCodePoint(c);
            }
        });
        return s.toString().strip();
    }
}

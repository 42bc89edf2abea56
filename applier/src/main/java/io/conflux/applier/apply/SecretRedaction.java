package io.conflux.applier.apply;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Takes a Secret's values out of a message about it. The API server, and more often an admission webhook, may
 * quote the object it refuses ({@code admission webhook "policy" denied the request: ... password: ...}); the
 * message then goes to the Kustomization's status, events, history, Kafka and notifications. Every value of the
 * Secret's {@code data} (as written, base64, and decoded) and {@code stringData} is replaced by
 * {@value #REDACTED} before the message leaves the applier. Values shorter than {@value #MIN_LENGTH} characters
 * are left alone: they cannot be told from ordinary words of the message and carry little.
 */
public final class SecretRedaction {
    /** What a value is replaced by. */
    public static final String REDACTED = "<redacted>";
    /** The shortest value that is replaced. */
    public static final int MIN_LENGTH = 4;

    private SecretRedaction() {
    }

    /**
     * @param message a message about {@code object} (may be null)
     * @param object  the object the message is about, as a JSON tree; only a {@code v1 Secret}'s values are removed
     * @return the message without the Secret's values; unchanged for any other object
     */
    public static String redact(String message, Map<String, Object> object) {
        if (message == null || object == null || !"Secret".equals(object.get("kind"))) {
            return message;
        }
        List<String> values = new ArrayList<>();
        if (object.get("data") instanceof Map<?, ?> data) {
            for (Object v : data.values()) {
                if (v instanceof String s) {
                    values.add(s);
                    try {
                        values.add(new String(Base64.getDecoder().decode(s.strip()), StandardCharsets.UTF_8));
                    } catch (IllegalArgumentException notBase64) {
                        // only as written
                    }
                }
            }
        }
        if (object.get("stringData") instanceof Map<?, ?> stringData) {
            for (Object v : stringData.values()) {
                if (v instanceof String s) {
                    values.add(s);
                    values.add(Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8)));
                }
            }
        }
        // Longest first, so a value containing another is replaced whole.
        values.sort(Comparator.comparingInt(String::length).reversed());
        String out = message;
        for (String v : values) {
            if (v.length() >= MIN_LENGTH) {
                out = out.replace(v, REDACTED);
            }
        }
        return out;
    }
}

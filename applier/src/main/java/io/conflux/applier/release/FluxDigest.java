package io.conflux.applier.release;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * Digests in the format helm-controller writes them ({@code sha256:<hex>}, {@code digest.Canonical}).
 * {@link #values} follows Flux's {@code chartutil.DigestValues} ({@code fluxcd/pkg/chartutil}): Go's
 * {@code json.Encoder} output of the values — map keys sorted, compact, {@code <}, {@code >}, {@code &} written as
 * {@code \u003c}, {@code \u003e}, {@code \u0026}, a newline at the end — and nothing at all for empty values.
 * Numbers are written as Jackson writes the Java values (Go writes YAML numbers as float64: an integral one is written
 * without a fraction in both; very large or very small floats may differ).
 */
public final class FluxDigest {
    private static final ObjectMapper SORTED = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private FluxDigest() {
    }

    /**
     * @param values Helm values (JSON-compatible maps), null or empty for none
     * @return {@code sha256:<hex>} as helm-controller's {@code lastAttemptedConfigDigest} and snapshot
     *         {@code configDigest}
     */
    public static String values(Map<String, Object> values) {
        if (values == null || values.isEmpty()) {
            return sha256(new byte[0]);
        }
        try {
            String text = SORTED.writeValueAsString(values).replace("<", "\\u003c").replace(">", "\\u003e")
                    .replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029");
            return sha256((text + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("values cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** @return {@code sha256:<hex>} of {@code bytes} */
    public static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

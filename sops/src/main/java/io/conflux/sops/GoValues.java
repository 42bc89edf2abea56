package io.conflux.sops;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

/** How SOPS (Go) turns a tree value into bytes: for the MAC ({@code sops.ToBytes}) and for dotenv output. */
final class GoValues {
    private GoValues() {
    }

    /**
     * {@code sops.ToBytes}: strings as UTF-8, integers in decimal, floats as Go's
     * {@code strconv.FormatFloat(f, 'f', -1, 64)}, booleans as {@code True}/{@code False}, bytes as they are.
     *
     * @return the bytes, or null for a value SOPS skips (null)
     */
    static byte[] macBytes(Object value) throws SopsException {
        if (value == null) {
            return null;
        }
        if (value instanceof byte[] bytes) {
            return bytes;
        }
        if (value instanceof Boolean b) {
            return (b ? "True" : "False").getBytes(StandardCharsets.UTF_8);
        }
        if (value instanceof String || value instanceof Integer || value instanceof Long
                || value instanceof Double || value instanceof Float) {
            return text(value).getBytes(StandardCharsets.UTF_8);
        }
        throw new SopsException("cannot convert a value of type " + value.getClass().getSimpleName() + " to bytes");
    }

    /** @return the value as text: floats in Go's shortest non-exponent form, booleans {@code true}/{@code false} */
    static String text(Object value) {
        if (value instanceof Double || value instanceof Float) {
            return formatFloat(((Number) value).doubleValue());
        }
        if (value instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        return String.valueOf(value);
    }

    /** Go's {@code strconv.FormatFloat(f, 'f', -1, 64)}. */
    static String formatFloat(double f) {
        if (Double.isNaN(f)) {
            return "NaN";
        }
        if (Double.isInfinite(f)) {
            return f > 0 ? "+Inf" : "-Inf";
        }
        if (f == 0) {
            return 1 / f < 0 ? "-0" : "0";
        }
        return new BigDecimal(Double.toString(f)).stripTrailingZeros().toPlainString();
    }
}

package io.conflux.artifacts;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A Bucket's index: object key → etag, as source-controller's {@code index.Digester}; the revision is
 * {@code sha256:<hex>} over the lines {@code "<key> <etag>\n"} in key order (Go's {@code sort.Strings}: byte order of
 * the UTF-8 keys, which for valid UTF-8 is code point order — Java's {@code String} order differs only for keys with
 * characters outside the BMP, which this class compares by code point).
 *
 * @param entries key → etag, without quotes
 */
public record BucketIndex(SortedMap<String, String> entries) {

    /** @return an index of {@code entries} */
    public static BucketIndex of(Map<String, String> entries) {
        TreeMap<String, String> sorted = new TreeMap<>(BucketIndex::compareCodePoints);
        sorted.putAll(entries);
        return new BucketIndex(java.util.Collections.unmodifiableSortedMap(sorted));
    }

    /** @return {@code sha256:<hex>} of the index, Flux's Bucket revision */
    public String revision() {
        StringBuilder lines = new StringBuilder();
        entries.forEach((k, v) -> lines.append(k).append(' ').append(v).append('\n'));
        return Digests.sha256(lines.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}

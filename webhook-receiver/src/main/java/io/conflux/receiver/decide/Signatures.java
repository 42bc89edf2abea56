package io.conflux.receiver.decide;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Webhook authentication primitives: HMAC signatures in the {@code <algorithm>=<hex>} header form GitHub
 * ({@code X-Hub-Signature-256: sha256=...}, legacy {@code X-Hub-Signature: sha1=...}) and Flux's
 * {@code generic-hmac} receiver ({@code X-Signature: sha256=...}) use, and constant-time token comparison
 * (GitLab's {@code X-Gitlab-Token}). Every comparison goes through {@link MessageDigest#isEqual(byte[], byte[])}
 * so the time taken does not reveal how much of a forged value was right.
 */
public final class Signatures {
    private Signatures() {
    }

    /**
     * Verifies a signature header against the HMAC of the raw body keyed by the token.
     *
     * @param header     the header value, e.g. {@code sha256=5f3c...}; null or malformed fails
     * @param body       the raw request body, exactly as received
     * @param key        the shared secret (the Receiver's token, UTF-8 bytes)
     * @param algorithms accepted algorithm names, lower case: {@code sha1}, {@code sha256}, {@code sha512}
     * @return whether the header names an accepted algorithm and its hex digest equals the HMAC
     */
    public static boolean verify(String header, byte[] body, byte[] key, Set<String> algorithms) {
        if (header == null) {
            return false;
        }
        int eq = header.indexOf('=');
        if (eq <= 0) {
            return false;
        }
        String algorithm = header.substring(0, eq).trim().toLowerCase(Locale.ROOT);
        if (!algorithms.contains(algorithm)) {
            return false;
        }
        byte[] given;
        try {
            given = HexFormat.of().parseHex(header.substring(eq + 1).trim().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException notHex) {
            return false;
        }
        return MessageDigest.isEqual(hmac(algorithm, key, body), given);
    }

    /**
     * @param algorithm {@code sha1}, {@code sha256} or {@code sha512}
     * @param key       HMAC key
     * @param body      message
     * @return the HMAC bytes
     * @throws IllegalArgumentException for another algorithm
     */
    public static byte[] hmac(String algorithm, byte[] key, byte[] body) {
        String jca = switch (algorithm) {
            case "sha1" -> "HmacSHA1";
            case "sha256" -> "HmacSHA256";
            case "sha512" -> "HmacSHA512";
            default -> throw new IllegalArgumentException("unsupported HMAC algorithm " + algorithm);
        };
        try {
            Mac mac = Mac.getInstance(jca);
            // an empty key is not a valid SecretKeySpec; HMAC pads keys with zeros, so one zero byte is equivalent
            mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, jca));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(jca + " unavailable", e);
        }
    }

    /** @return whether {@code given} equals {@code token}, compared in constant time; null never matches */
    public static boolean tokenEquals(String given, String token) {
        if (given == null || token == null) {
            return false;
        }
        return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
    }
}

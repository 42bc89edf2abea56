package io.conflux.artifacts;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** {@code sha256:<64 hex>} digests, the OCI and Flux form. */
public final class Digests {
    private Digests() {
    }

    /** @return {@code sha256:<hex>} of {@code data} */
    public static String sha256(byte[] data) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return whether {@code digest} is {@code sha256:} and 64 lower-case hex digits */
    public static boolean valid(String digest) {
        return digest != null && digest.matches("sha256:[0-9a-f]{64}");
    }
}

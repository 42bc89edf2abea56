package io.conflux.service;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encryption at rest of rendered bundles (the renderer's {@code bundle.content}, read by the applier), with AES-256-GCM
 * from the JDK and keys the operator provides in {@code conflux.bundles.encryption-keys}.
 *
 * <p>Keys are given as a list of {@code <id>:<base64 of 32 bytes>} (id: letters, digits, {@code .}, {@code _},
 * {@code -}); the first key seals new bundles, every key opens old ones — so a key is rotated by putting a new one
 * first and keeping the old ones listed until no bundle sealed with them is kept any more.
 *
 * <p>A sealed bundle is stored as {@code conflux-aes-gcm:v1:<id>:<base64(12-byte random nonce ‖ ciphertext ‖ 16-byte
 * tag)>}, with the bundle's digest ({@code sha256:<hex>} of the clear JSON) as additional authenticated data, so a
 * sealed content cannot be moved to another digest's row. Content that does not start with the prefix is clear JSON
 * (bundles written before a key was configured, or holding no Secret) and is returned as is. Thread-safe.
 */
public final class BundleCipher {
    /** The prefix of sealed content; clear bundles are JSON arrays and start with {@code [}. */
    public static final String PREFIX = "conflux-aes-gcm:v1:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, SecretKeySpec> keys;
    private final String sealingKey;

    private BundleCipher(Map<String, SecretKeySpec> keys, String sealingKey) {
        this.keys = keys;
        this.sealingKey = sealingKey;
    }

    /**
     * @param entries {@code conflux.bundles.encryption-keys}: {@code <id>:<base64 of 32 bytes>}, newest first; empty for
     *                none
     * @return a cipher sealing with the first key and opening with all
     * @throws IllegalArgumentException naming the entry (by position and id) that is malformed — never the key
     */
    public static BundleCipher of(List<String> entries) {
        Map<String, SecretKeySpec> keys = new LinkedHashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            String entry = entries.get(i).trim();
            int colon = entry.indexOf(':');
            String where = "conflux.bundles.encryption-keys[" + i + "]";
            if (colon <= 0 || !entry.substring(0, colon).matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException(where + ": expected <id>:<base64 of 32 bytes>, id of letters, digits, '.', '_', '-'");
            }
            String id = entry.substring(0, colon);
            byte[] key;
            try {
                key = Base64.getDecoder().decode(entry.substring(colon + 1).trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + " (id '" + id + "'): the key is not base64");
            }
            if (key.length != 32) {
                throw new IllegalArgumentException(where + " (id '" + id + "'): the key must be 32 bytes (AES-256), got " + key.length);
            }
            if (keys.putIfAbsent(id, new SecretKeySpec(key, "AES")) != null) {
                throw new IllegalArgumentException(where + ": id '" + id + "' is listed twice");
            }
        }
        return new BundleCipher(Map.copyOf(keys), keys.isEmpty() ? null : keys.keySet().iterator().next());
    }

    /** @return a new random key entry {@code <id>:<base64 of 32 bytes>}, as {@code conflux up} generates one */
    public static String generateKey(String id) {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return id + ":" + Base64.getEncoder().encodeToString(key);
    }

    /** @return whether a key is configured to seal bundles with */
    public boolean canSeal() {
        return sealingKey != null;
    }

    /**
     * @param digest  the bundle's digest, bound to the ciphertext
     * @param content the bundle's clear JSON
     * @return the sealed content, with the first key
     * @throws IllegalStateException when no key is configured
     */
    public String seal(String digest, String content) {
        if (sealingKey == null) {
            throw new IllegalStateException("no bundle encryption key configured (conflux.bundles.encryption-keys)");
        }
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, keys.get(sealingKey), nonce, digest);
            byte[] sealed = cipher.doFinal(content.getBytes(StandardCharsets.UTF_8));
            byte[] out = ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array();
            return PREFIX + sealingKey + ":" + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encrypt bundle " + digest + ": " + e.getClass().getSimpleName(), e);
        }
    }

    /**
     * @param digest the bundle's digest (the row's key)
     * @param stored the stored content: sealed, or clear JSON
     * @return the clear JSON
     * @throws IllegalStateException when the content was sealed with a key id that is not configured, or does not
     *                               authenticate (wrong key, tampered, moved from another digest)
     */
    public String open(String digest, String stored) {
        if (!stored.startsWith(PREFIX)) {
            return stored;
        }
        int colon = stored.indexOf(':', PREFIX.length());
        String id = colon < 0 ? "" : stored.substring(PREFIX.length(), colon);
        SecretKeySpec key = keys.get(id);
        if (key == null) {
            throw new IllegalStateException("bundle " + digest + " is encrypted with key '" + id
                    + "', which is not in conflux.bundles.encryption-keys");
        }
        try {
            byte[] in = Base64.getDecoder().decode(stored.substring(colon + 1));
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, key, java.util.Arrays.copyOf(in, NONCE_BYTES), digest);
            return new String(cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("bundle " + digest + " cannot be decrypted with key '" + id + "' ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private static Cipher cipher(int mode, SecretKeySpec key, byte[] nonce, String digest) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(digest.getBytes(StandardCharsets.UTF_8));
        return cipher;
    }
}

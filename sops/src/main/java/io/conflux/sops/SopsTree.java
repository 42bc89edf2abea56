package io.conflux.sops;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SOPS's tree walk ({@code sops.Tree.Decrypt}): every leaf of every branch (document) is visited in order with its
 * key path — map keys only, list positions add nothing — and decrypted when the metadata's rule says it is
 * encrypted; the SHA-512 of the plaintext leaves in that order ({@code sops.ToBytes} each, nulls skipped; only the
 * encrypted ones when {@code mac_only_encrypted}, after a fixed 32-byte prefix) is the document's MAC, compared
 * with the stored {@code sops.mac} (decrypted with {@code lastmodified} as additional data).
 */
final class SopsTree {
    /** SOPS's {@code MACOnlyEncryptedInitialization}: sha256("sops"). */
    private static final byte[] MAC_ONLY_ENCRYPTED_INITIALIZATION = HexFormat.of()
            .parseHex("8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69");

    private final SopsMetadata metadata;
    private final byte[] key;
    private final MessageDigest digest;

    private SopsTree(SopsMetadata metadata, byte[] key) {
        this.metadata = metadata;
        this.key = key;
        try {
            this.digest = MessageDigest.getInstance("SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-512 is required of every Java platform", e);
        }
        if (metadata.macOnlyEncrypted()) {
            digest.update(MAC_ONLY_ENCRYPTED_INITIALIZATION);
        }
    }

    /**
     * The decrypted branches and the MAC computed over them.
     *
     * @param branches new maps and lists; the input is not modified
     * @param mac      upper-case hex SHA-512, as SOPS formats it
     */
    record Decrypted(List<Map<String, Object>> branches, String mac) {
    }

    /**
     * Decrypts {@code branches} (the documents without their {@code sops} key).
     *
     * @throws SopsException naming the key path of a value that does not decrypt
     */
    static Decrypted decrypt(List<Map<String, Object>> branches, SopsMetadata metadata, byte[] key)
            throws SopsException {
        SopsTree tree = new SopsTree(metadata, key);
        List<Map<String, Object>> out = new ArrayList<>(branches.size());
        for (Map<String, Object> branch : branches) {
            out.add(tree.walkMap(branch, List.of()));
        }
        return new Decrypted(out, HexFormat.of().withUpperCase().formatHex(tree.digest.digest()));
    }

    /**
     * Checks {@code computed} against the document's stored MAC.
     *
     * @throws SopsException when the stored MAC is missing, does not decrypt, or differs (the document was changed
     *                       after it was encrypted)
     */
    static void verifyMac(SopsMetadata metadata, byte[] key, String computed) throws SopsException {
        if (metadata.mac().isEmpty()) {
            throw new SopsException("sops.mac is empty: the document's integrity cannot be checked");
        }
        Object stored;
        try {
            stored = SopsValueCipher.decrypt(metadata.mac(), key, metadata.macAdditionalData());
        } catch (SopsException e) {
            throw new SopsException("sops.mac does not decrypt with the data key and sops.lastmodified");
        }
        if (!(stored instanceof String s) || !s.equalsIgnoreCase(computed)) {
            throw new SopsException("MAC mismatch: the document was changed after it was encrypted");
        }
    }

    private Map<String, Object> walkMap(Map<?, ?> map, List<String> path) throws SopsException {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String k)) {
                throw new SopsException("the tree holds a non-string key (" + e.getKey() + ") at '"
                        + String.join(":", path) + ":'; only string keys are supported");
            }
            List<String> child = new ArrayList<>(path);
            child.add(k);
            out.put(k, walkValue(e.getValue(), child));
        }
        return out;
    }

    private Object walkValue(Object value, List<String> path) throws SopsException {
        if (value == null) {
            return null;
        }
        if (value instanceof Map<?, ?> map) {
            return walkMap(map, path);
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object item : list) {
                out.add(walkValue(item, path));
            }
            return out;
        }
        return leaf(value, path);
    }

    private Object leaf(Object value, List<String> path) throws SopsException {
        boolean encrypted = metadata.encrypted(path);
        Object plain = value;
        if (encrypted) {
            String aad = String.join(":", path) + ":";
            if (!(value instanceof String s)) {
                throw new SopsException("value at '" + aad + "' is a " + value.getClass().getSimpleName()
                        + ", not an encrypted string, although the file's rules say it is encrypted");
            }
            plain = SopsValueCipher.decrypt(s, key, aad);
        }
        if (!metadata.macOnlyEncrypted() || encrypted) {
            byte[] bytes = GoValues.macBytes(plain);
            if (bytes != null) {
                digest.update(bytes);
            }
        }
        return plain;
    }

    /** Decrypts a dotenv comment the way SOPS does: additional data {@code :}; not part of the MAC. */
    static String comment(String text, byte[] key) {
        if (!SopsValueCipher.isEncrypted(text)) {
            return text;
        }
        try {
            Object plain = SopsValueCipher.decrypt(text, key, ":");
            return plain instanceof SopsValueCipher.Comment c ? c.value() : String.valueOf(plain);
        } catch (SopsException e) {
            // SOPS keeps a comment that does not decrypt as it is ("possibly unencrypted comment").
            return text;
        }
    }
}

package io.conflux.sops;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decrypts SOPS documents with age identities, the way Flux's kustomize-controller decryptor does:
 * <ul>
 *   <li>{@link #decryptObject}: a built object with a top-level {@code sops} block whose {@code mac} is set is
 *       decrypted whole (the block removed); the MAC is not checked, as in Flux, because kustomize changes the
 *       objects it builds (namespace, labels, prefixes);</li>
 *   <li>a Secret without such a block has each {@code data} value that is itself a SOPS document (a
 *       {@code secretGenerator} input encrypted whole) decrypted into the format its key's extension names;</li>
 *   <li>{@link #decryptFile}: an encrypted file (generator input) is decrypted in its format, and its MAC is
 *       verified, as {@code sops --decrypt} does (the file reaches us as it was encrypted).</li>
 * </ul>
 * The data key is taken from the first age recipient an identity opens. Not supported: PGP and cloud KMS keys,
 * Shamir key groups, INI files. Thread-safe; blocking (CPU only).
 */
public final class SopsDecryptor {
    /** Flux's annotation that leaves one object encrypted: {@code kustomize.toolkit.fluxcd.io/decrypt: disabled}. */
    public static final String DECRYPT_ANNOTATION = "kustomize.toolkit.fluxcd.io/decrypt";

    private final AgeIdentities identities;

    /** @param identities the keys to open data keys with */
    public SopsDecryptor(AgeIdentities identities) {
        this.identities = identities;
    }

    /**
     * Flux's {@code isSOPSEncryptedResource}: the object has a top-level {@code sops} map with a non-empty
     * {@code mac}.
     */
    public static boolean isEncryptedObject(Map<String, Object> object) {
        return object.get("sops") instanceof Map<?, ?> sops && sops.get("mac") != null
                && !sops.get("mac").toString().isEmpty();
    }

    /**
     * Decrypts one built object as Flux's {@code DecryptResource} does (see the class comment); objects annotated
     * {@value #DECRYPT_ANNOTATION}{@code : disabled}, and objects with nothing encrypted, come back unchanged.
     *
     * @param object the object as built (not modified)
     * @return the decrypted object, or {@code object} itself when there was nothing to decrypt
     * @throws SopsException when a data key cannot be opened or a value does not decrypt; the message names the
     *                       key path or Secret field, never a value
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> decryptObject(Map<String, Object> object) throws SopsException {
        if (disabled(object)) {
            return object;
        }
        if (isEncryptedObject(object)) {
            Map<String, Object> branch = new LinkedHashMap<>(object);
            Map<?, ?> sops = (Map<?, ?>) branch.remove("sops");
            SopsMetadata metadata = SopsMetadata.from(sops);
            return SopsTree.decrypt(List.of(branch), metadata, dataKey(metadata)).branches().get(0);
        }
        if ("Secret".equals(object.get("kind")) && object.get("data") instanceof Map<?, ?> data) {
            Map<String, Object> decrypted = null;
            for (Map.Entry<?, ?> e : data.entrySet()) {
                String field = String.valueOf(e.getKey());
                byte[] value;
                try {
                    value = Base64.getDecoder().decode(String.valueOf(e.getValue()));
                } catch (IllegalArgumentException notBase64) {
                    continue; // as Flux: left for the apply to report
                }
                Optional<SopsFormat> in = SopsFormat.detect(value);
                if (in.isEmpty()) {
                    continue;
                }
                byte[] plain;
                try {
                    plain = decrypt(value, in.get(), SopsFormat.forPath(field), false);
                } catch (SopsException ex) {
                    throw ex.in("Secret field '" + field + "'");
                }
                if (decrypted == null) {
                    decrypted = new LinkedHashMap<>((Map<String, Object>) data);
                }
                decrypted.put(field, Base64.getEncoder().encodeToString(plain));
            }
            if (decrypted != null) {
                Map<String, Object> out = new LinkedHashMap<>(object);
                out.put("data", decrypted);
                return out;
            }
        }
        return object;
    }

    /**
     * Decrypts an encrypted file and verifies its MAC.
     *
     * @param content the file
     * @param in      its format
     * @param out     the format to write the plaintext in (usually {@code in})
     * @return the plaintext document
     * @throws SopsException when the file is malformed, its data key cannot be opened, a value does not decrypt
     *                       or the MAC does not match
     */
    public byte[] decryptFile(byte[] content, SopsFormat in, SopsFormat out) throws SopsException {
        return decrypt(content, in, out, true);
    }

    private byte[] decrypt(byte[] content, SopsFormat in, SopsFormat out, boolean verifyMac) throws SopsException {
        SopsDocuments.Loaded loaded = SopsDocuments.load(content, in);
        SopsMetadata metadata = SopsMetadata.from(loaded.sops());
        byte[] key = dataKey(metadata);
        SopsTree.Decrypted decrypted = SopsTree.decrypt(loaded.branches(), metadata, key);
        if (verifyMac) {
            SopsTree.verifyMac(metadata, key, decrypted.mac());
        }
        List<SopsDocuments.DotenvLine> lines = null;
        if (loaded.dotenv() != null && out == SopsFormat.DOTENV) {
            lines = new ArrayList<>();
            for (SopsDocuments.DotenvLine line : loaded.dotenv()) {
                lines.add(line.key() == null ? new SopsDocuments.DotenvLine(null, SopsTree.comment(line.value(), key))
                        : line);
            }
        }
        return SopsDocuments.emit(decrypted.branches(), lines, out);
    }

    /** Opens the data key with the first age recipient one of the identities matches. */
    private byte[] dataKey(SopsMetadata metadata) throws SopsException {
        if (metadata.age().isEmpty()) {
            throw new SopsException("no age recipient holds the data key"
                    + (metadata.otherKeyTypes().isEmpty() ? "" : " (only " + String.join(", ",
                    metadata.otherKeyTypes()) + ", which are not supported)"), true);
        }
        for (SopsMetadata.AgeStanza stanza : metadata.age()) {
            try {
                byte[] key = identities.decrypt(stanza.enc());
                if (key.length != 32) {
                    throw new SopsException("the data key of recipient " + stanza.recipient() + " is "
                            + key.length + " bytes, not 32");
                }
                return key;
            } catch (SopsException e) {
                if (!e.keyProblem()) {
                    throw e;
                }
            }
        }
        List<String> recipients = metadata.age().stream().map(SopsMetadata.AgeStanza::recipient).toList();
        throw new SopsException("cannot get the sops data key: none of the " + identities.size()
                + " age identities in " + identities.origin() + " matches the recipients " + recipients, true);
    }

    private static boolean disabled(Map<String, Object> object) {
        return object.get("metadata") instanceof Map<?, ?> meta && meta.get("annotations") instanceof Map<?, ?> a
                && a.get(DECRYPT_ANNOTATION) != null
                && "disabled".equalsIgnoreCase(a.get(DECRYPT_ANNOTATION).toString());
    }
}

package io.conflux.sops;

import com.exceptionfactory.jagged.RecipientStanzaReader;
import com.exceptionfactory.jagged.framework.armor.ArmoredDecryptingChannelFactory;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaReaderFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The age X25519 identities ({@code AGE-SECRET-KEY-1...}) a Kustomization may decrypt with, read the way Flux's
 * kustomize-controller imports them from {@code spec.decryption.secretRef}: every Secret entry whose name has the
 * extension {@code .agekey} holds an age identity file — one identity per line, blank lines and {@code #} comments
 * allowed (the format {@code age-keygen} writes). The age format itself is handled by the jagged library.
 * {@link #toString()} never shows a key.
 */
public final class AgeIdentities {
    /** The Secret entry extension Flux reads age identities from. */
    public static final String AGE_KEY_EXTENSION = ".agekey";

    private final List<String> identities;
    private final List<RecipientStanzaReader> readers;
    private final String origin;

    private AgeIdentities(List<String> identities, List<RecipientStanzaReader> readers, String origin) {
        this.identities = List.copyOf(identities);
        this.readers = List.copyOf(readers);
        this.origin = origin;
    }

    /** @return no identities; decrypting anything fails with a key problem */
    public static AgeIdentities none(String origin) {
        return new AgeIdentities(List.of(), List.of(), origin);
    }

    /**
     * Parses an age identity file.
     *
     * @param origin where the text comes from, for messages (e.g. {@code Secret 'sops-age' entry 'age.agekey'})
     * @param text   identity lines; blank lines and lines starting with {@code #} are skipped
     * @throws SopsException (a key problem) naming {@code origin} and the line number of an invalid identity
     */
    public static AgeIdentities parse(String origin, String text) throws SopsException {
        List<String> identities = new ArrayList<>();
        List<RecipientStanzaReader> readers = new ArrayList<>();
        String[] lines = text.split("\\r?\\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (!line.startsWith("AGE-SECRET-KEY-1")) {
                throw new SopsException(origin + " line " + (i + 1)
                        + ": not an age X25519 identity (expected AGE-SECRET-KEY-1...)", true);
            }
            try {
                readers.add(X25519RecipientStanzaReaderFactory.newRecipientStanzaReader(line));
            } catch (GeneralSecurityException | RuntimeException e) {
                throw new SopsException(origin + " line " + (i + 1) + ": invalid age identity", true);
            }
            identities.add(line);
        }
        return new AgeIdentities(identities, readers, origin);
    }

    /**
     * The identities of a decryption Secret: the entries whose name ends in {@value #AGE_KEY_EXTENSION}, in name
     * order; other entries (PGP keys, cloud credentials) are ignored.
     *
     * @param secretName the Secret's name, for messages
     * @param data       the Secret's decoded data
     * @throws SopsException (a key problem) when an entry holds something other than age identities
     */
    public static AgeIdentities fromSecret(String secretName, Map<String, String> data) throws SopsException {
        List<String> identities = new ArrayList<>();
        List<RecipientStanzaReader> readers = new ArrayList<>();
        for (Map.Entry<String, String> e : new TreeMap<>(data).entrySet()) {
            if (!isAgeKeyEntry(e.getKey())) {
                continue;
            }
            AgeIdentities parsed = parse("Secret '" + secretName + "' entry '" + e.getKey() + "'", e.getValue());
            identities.addAll(parsed.identities);
            readers.addAll(parsed.readers);
        }
        return new AgeIdentities(identities, readers, "Secret '" + secretName + "'");
    }

    /** @return whether a Secret entry name has the {@code .agekey} extension (Go's {@code filepath.Ext}) */
    static boolean isAgeKeyEntry(String name) {
        int slash = name.lastIndexOf('/');
        int dot = name.lastIndexOf('.');
        return dot > slash && name.substring(dot).equals(AGE_KEY_EXTENSION);
    }

    /** @return how many identities there are */
    public int size() {
        return identities.size();
    }

    /** @return where the identities come from, e.g. {@code Secret 'sops-age'} */
    public String origin() {
        return origin;
    }

    /**
     * Decrypts an armored age file ({@code -----BEGIN AGE ENCRYPTED FILE-----}) with any of the identities.
     *
     * @return the plaintext
     * @throws SopsException (a key problem) when no identity opens it, or the file is not a valid age file
     */
    public byte[] decrypt(String armored) throws SopsException {
        if (readers.isEmpty()) {
            throw new SopsException("no age identities in " + origin, true);
        }
        byte[] input = armored.getBytes(StandardCharsets.UTF_8);
        try (ReadableByteChannel channel = new ArmoredDecryptingChannelFactory()
                .newDecryptingChannel(Channels.newChannel(new ByteArrayInputStream(input)), readers);
             InputStream in = Channels.newInputStream(channel)) {
            return in.readAllBytes();
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            throw new SopsException("none of the " + identities.size() + " age identities in " + origin
                    + " can open the data key (" + e.getClass().getSimpleName() + ")", true);
        }
    }

    @Override
    public String toString() {
        return "AgeIdentities[" + identities.size() + " from " + origin + "]";
    }
}

package io.conflux.sops.testing;

import com.exceptionfactory.jagged.framework.armor.ArmoredEncryptingChannelFactory;
import com.exceptionfactory.jagged.x25519.X25519KeyPairGenerator;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaWriterFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;

/**
 * A test-side SOPS encryptor, written from SOPS's file format (getsops/sops: {@code sops.go} Tree.Encrypt,
 * {@code aes/cipher.go}, {@code stores/*}) independently of the decryptor under test: a random 32-byte data key,
 * sealed for each age recipient as an armored age file (jagged), every value chosen by the rule encrypted with
 * AES-256-GCM (32-byte IV, key path {@code a:b:} as additional data, {@code type:} from the value), the MAC
 * (SHA-512 over the plaintext values, upper-case hex) encrypted with {@code lastmodified} as additional data.
 * Supports the {@code unencrypted_suffix} (default {@code _unencrypted}) and {@code encrypted_regex} rules and
 * {@code mac_only_encrypted}. Writes YAML, JSON, dotenv and binary (JSON envelope) documents.
 */
public final class SopsTestEncryptor {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] MAC_ONLY_PREFIX = HexFormat.of()
            .parseHex("8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69");

    /** An age X25519 key pair as the age tools print it. */
    public record AgeKey(String identity, String recipient) {
    }

    /** An age recipient stanza of the data key, as stored in {@code sops.age}. */
    public record Stanza(String recipient, String enc) {
    }

    private final byte[] dataKey;
    private final List<Stanza> stanzas;
    private String encryptedRegex;
    private String unencryptedSuffix = "_unencrypted";
    private boolean macOnlyEncrypted;
    private String lastModified = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();

    private SopsTestEncryptor(byte[] dataKey, List<Stanza> stanzas) {
        this.dataKey = dataKey;
        this.stanzas = stanzas;
    }

    /** @return a new age key pair (jagged's X25519 generator) */
    public static AgeKey generateKey() {
        try {
            KeyPair pair = new X25519KeyPairGenerator().generateKeyPair();
            return new AgeKey(pair.getPrivate().toString(), pair.getPublic().toString());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return an encryptor with a fresh data key sealed for each of {@code recipients} ({@code age1...}) */
    public static SopsTestEncryptor forRecipients(String... recipients) {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        List<Stanza> stanzas = new ArrayList<>();
        for (String r : recipients) {
            stanzas.add(new Stanza(r, seal(key, r)));
        }
        return new SopsTestEncryptor(key, stanzas);
    }

    /** @return an encryptor with a given data key and stanzas (e.g. sealed by the {@code age} CLI) */
    public static SopsTestEncryptor withDataKey(byte[] dataKey, List<Stanza> stanzas) {
        return new SopsTestEncryptor(dataKey.clone(), List.copyOf(stanzas));
    }

    /** @return the armored age file of {@code plaintext} for {@code recipient} */
    public static String seal(byte[] plaintext, String recipient) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (WritableByteChannel channel = new ArmoredEncryptingChannelFactory().newEncryptingChannel(
                Channels.newChannel(out),
                List.of(X25519RecipientStanzaWriterFactory.newRecipientStanzaWriter(recipient)))) {
            channel.write(ByteBuffer.wrap(plaintext));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return out.toString(StandardCharsets.US_ASCII);
    }

    /** Sets {@code encrypted_regex} (replacing the default suffix rule). */
    public SopsTestEncryptor encryptedRegex(String regex) {
        this.encryptedRegex = regex;
        this.unencryptedSuffix = null;
        return this;
    }

    /** Sets {@code mac_only_encrypted}. */
    public SopsTestEncryptor macOnlyEncrypted(boolean value) {
        this.macOnlyEncrypted = value;
        return this;
    }

    /** Sets {@code lastmodified} (RFC 3339). */
    public SopsTestEncryptor lastModified(String value) {
        this.lastModified = value;
        return this;
    }

    /** @return a copy of the data key */
    public byte[] dataKey() {
        return dataKey.clone();
    }

    /** @return {@code document} encrypted, with its {@code sops} block appended (for YAML or JSON) */
    public Map<String, Object> encrypt(Map<String, Object> document) {
        MessageDigest mac = digest();
        @SuppressWarnings("unchecked")
        Map<String, Object> out = (Map<String, Object>) walk(document, List.of(), mac);
        out.put("sops", metadata(mac));
        return out;
    }

    /** @return {@code document} encrypted as YAML */
    public String yaml(Map<String, Object> document) {
        return new Dump(DumpSettings.builder().setDefaultFlowStyle(FlowStyle.BLOCK).build())
                .dumpToString(encrypt(document));
    }

    /** @return {@code document} encrypted as JSON */
    public String json(Map<String, Object> document) {
        try {
            return goJson(encrypt(document));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return {@code content} encrypted whole in SOPS's binary format (a JSON envelope) */
    public String binary(byte[] content) {
        Map<String, Object> doc = new LinkedHashMap<>();
        MessageDigest mac = digest();
        boolean enc = encrypted(List.of("data"));
        if (!macOnlyEncrypted || enc) {
            mac.update(content);
        }
        doc.put("data", enc ? seal(content, "str", "data:") : new String(content, StandardCharsets.UTF_8));
        doc.put("sops", metadata(mac));
        try {
            return goJson(doc);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @param lines {@code KEY=value} entries and {@code #comment} lines, in order
     * @return them encrypted as a SOPS dotenv file (comments encrypted with {@code :} as additional data)
     */
    public String dotenv(List<String> lines) {
        MessageDigest mac = digest();
        StringBuilder out = new StringBuilder();
        for (String line : lines) {
            if (line.startsWith("#")) {
                boolean enc = encrypted(List.of());
                String comment = line.substring(1);
                out.append('#').append(enc ? seal(comment.getBytes(StandardCharsets.UTF_8), "comment", ":") : comment)
                        .append('\n');
                continue;
            }
            int eq = line.indexOf('=');
            String key = line.substring(0, eq);
            String value = line.substring(eq + 1);
            boolean enc = encrypted(List.of(key));
            if (!macOnlyEncrypted || enc) {
                mac.update(value.getBytes(StandardCharsets.UTF_8));
            }
            String stored = enc && !value.isEmpty() ? seal(value.getBytes(StandardCharsets.UTF_8), "str", key + ":")
                    : value;
            out.append(key).append('=').append(stored.replace("\n", "\\n")).append('\n');
        }
        Map<String, Object> flat = new TreeMap<>();
        flatten("", metadata(mac), flat);
        flat.forEach((k, v) -> out.append("sops_").append(k).append('=')
                .append(String.valueOf(v).replace("\n", "\\n")).append('\n'));
        return out.toString();
    }

    /** JSON laid out as Go's encoder with indentation does ({@code "key": value}), as SOPS writes it. */
    private static String goJson(Object value) throws JsonProcessingException {
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER));
        return new ObjectMapper().writer(printer).writeValueAsString(value) + "\n";
    }

    private static void flatten(String prefix, Object value, Map<String, Object> into) {
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> flatten(prefix.isEmpty() ? k.toString() : prefix + "__map_" + k, v, into));
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                flatten(prefix + "__list_" + i, list.get(i), into);
            }
        } else {
            into.put(prefix, value);
        }
    }

    private Object walk(Object value, List<String> path, MessageDigest mac) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> {
                List<String> child = new ArrayList<>(path);
                child.add(k.toString());
                out.put(k.toString(), walk(v, child, mac));
            });
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(v -> out.add(walk(v, path, mac)));
            return out;
        }
        if (value == null) {
            return null;
        }
        boolean enc = encrypted(path);
        byte[] bytes = bytes(value);
        if (!macOnlyEncrypted || enc) {
            mac.update(bytes);
        }
        if (!enc || (value instanceof String s && s.isEmpty())) {
            return value;
        }
        String type = value instanceof String ? "str" : value instanceof Boolean ? "bool"
                : value instanceof Double ? "float" : "int";
        return seal(bytes, type, String.join(":", path) + ":");
    }

    private static byte[] bytes(Object value) {
        String text;
        if (value instanceof Boolean b) {
            text = b ? "True" : "False";
        } else if (value instanceof Double d) {
            text = new BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString();
        } else {
            text = value.toString();
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private boolean encrypted(List<String> path) {
        if (encryptedRegex != null) {
            Pattern p = Pattern.compile(encryptedRegex);
            return path.stream().anyMatch(k -> p.matcher(k).find());
        }
        return path.stream().noneMatch(k -> k.endsWith(unencryptedSuffix));
    }

    private String seal(byte[] plain, String type, String additionalData) {
        try {
            byte[] iv = new byte[32];
            RANDOM.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(dataKey, "AES"), new GCMParameterSpec(128, iv));
            cipher.updateAAD(additionalData.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plain);
            Base64.Encoder b64 = Base64.getEncoder();
            byte[] data = java.util.Arrays.copyOf(sealed, sealed.length - 16);
            byte[] tag = java.util.Arrays.copyOfRange(sealed, sealed.length - 16, sealed.length);
            return "ENC[AES256_GCM,data:" + b64.encodeToString(data) + ",iv:" + b64.encodeToString(iv) + ",tag:"
                    + b64.encodeToString(tag) + ",type:" + type + "]";
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private MessageDigest digest() {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-512");
            if (macOnlyEncrypted) {
                d.update(MAC_ONLY_PREFIX);
            }
            return d;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, Object> metadata(MessageDigest mac) {
        Map<String, Object> sops = new LinkedHashMap<>();
        List<Object> age = new ArrayList<>();
        for (Stanza s : stanzas) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("recipient", s.recipient());
            entry.put("enc", s.enc());
            age.add(entry);
        }
        sops.put("age", age);
        sops.put("lastmodified", lastModified);
        String hex = HexFormat.of().withUpperCase().formatHex(mac.digest());
        sops.put("mac", seal(hex.getBytes(StandardCharsets.UTF_8), "str", lastModified));
        if (encryptedRegex != null) {
            sops.put("encrypted_regex", encryptedRegex);
        } else {
            sops.put("unencrypted_suffix", unencryptedSuffix);
        }
        if (macOnlyEncrypted) {
            sops.put("mac_only_encrypted", true);
        }
        sops.put("version", "3.9.4");
        return sops;
    }
}

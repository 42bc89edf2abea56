package io.conflux.sops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import io.conflux.sops.testing.SopsTestEncryptor;
import io.conflux.sops.testing.SopsTestEncryptor.AgeKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Fuzzes the SOPS parser and decryptor with mutated encrypted documents: files encrypted by the test-side
 * encryptor in every format (YAML, JSON, dotenv, binary) for a key the decryptor holds, then changed structurally
 * (metadata fields and values replaced, retyped or deleted; {@code ENC[...]} values with a changed data, iv, tag or
 * type; random trees) or textually (bytes flipped, punctuation inserted, lines duplicated, truncated). A file is
 * decrypted the way the renderer does it — {@link KustomizationSources#decrypt} on an in-memory tree whose
 * {@code secretGenerator} names it — and as a built object ({@link SopsDecryptor#decryptObject}, the object itself or
 * a Secret whose data value is the file). Every input must decrypt or fail with a {@link SopsException} (naming the
 * file, for files), within {@link #BOUND}.
 * <p>{@link #fuzz} is the Jazzer target: in the default build it replays the committed inputs in
 * {@code src/test/resources/io/conflux/sops/SopsFuzzTestInputs/fuzz/}; with {@code JAZZER_FUZZ} set ({@code -Pfuzz})
 * it fuzzes coverage-guided. The two {@code @Test}s run the same properties over {@code fuzz.tries} seeded
 * {@link Random}s (200; 10,000 with {@code -Pfuzz}).
 */
class SopsFuzzTest {
    /** Time allowed to one decryption; longer is a hang. */
    static final Duration BOUND = Duration.ofSeconds(5);

    private static final AgeKey KEY = SopsTestEncryptor.generateKey();
    private static final SopsDecryptor DECRYPTOR = decryptor();
    private static final List<Doc> CORPUS = corpus();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> FIELDS = List.of("sops", "mac", "lastmodified", "age", "recipient", "enc",
            "encrypted_regex", "unencrypted_regex", "encrypted_suffix", "unencrypted_suffix", "mac_only_encrypted",
            "encrypted_comment_regex", "version", "key_groups", "kms", "pgp", "hc_vault", "azure_kv", "gcp_kms",
            "shamir_threshold", "data", "password", "name", "nested", "list");
    private static final List<String> TOKENS = List.of(":", ": ", "- ", "{", "}", "[", "]", "\"", "'", "\n",
            "ENC[", "AES256_GCM", ",data:", ",iv:", ",tag:", ",type:", "str", "int", "bytes", "comment", "=", "#",
            "sops_", "__map_", "__list_", "\\", "\u0000", "\uFFFD", "&a ", "*a", "%");

    /**
     * An encrypted document and its name in the tree.
     *
     * @param name    file name; its extension chooses the format, as in Flux
     * @param content the bytes
     * @param how     where it came from and how it was changed
     */
    record Doc(String name, byte[] content, String how) {
        @Override
        public String toString() {
            String text = new String(content, StandardCharsets.UTF_8);
            return "Doc[" + name + ", " + how + ":\n" + text.substring(0, Math.min(text.length(), 2000)) + "]";
        }
    }

    /** Seeded tries of each property: the build's {@code fuzz.tries} (200; 10,000 with {@code -Pfuzz}). */
    static final int TRIES = Integer.getInteger("fuzz.tries", 200);
    /** Seed of the first try; try {@code i} uses {@code SEED + i}. */
    static final long SEED = 1106;

    /** A check of one input made from a seeded {@link Random}. */
    interface Try {
        void run(Random r) throws Exception;
    }

    /** Runs {@code check} over {@link #TRIES} seeded {@link Random}s; a failure names the seed that reproduces it. */
    static void tries(Try check) throws Exception {
        for (long seed = SEED; seed < SEED + TRIES; seed++) {
            try {
                check.run(new Random(seed));
            } catch (Exception | AssertionError e) {
                throw new AssertionError("try with java.util.Random seed " + seed + ": " + e.getMessage(), e);
            }
        }
    }

    @Test
    void everyFileDecryptsOrFailsNamingIt() throws Exception {
        tries(r -> fileDecryptsOrFailsNamingIt(document(r)));
    }

    @Test
    void everyBuiltObjectDecryptsOrFailsWithASopsException() throws Exception {
        tries(r -> builtObjectDecryptsOrFailsWithASopsException(document(r)));
    }

    /**
     * The Jazzer target, both properties on one document. The input's last byte picks the shape (mod 2) and the 8
     * bytes before it seed a {@link Random}: 0 a mutated corpus document, 1 the remaining bytes under the name (and so
     * the format) of a corpus document.
     */
    @FuzzTest(maxExecutions = 10_000)
    void fuzz(FuzzedDataProvider data) throws Exception {
        int shape = Math.floorMod(data.consumeByte(), 2);
        Random r = new Random(data.consumeLong());
        Doc doc = shape == 0 ? document(r)
                : new Doc(CORPUS.get(r.nextInt(CORPUS.size())).name(), data.consumeRemainingAsBytes(), "fuzzer bytes");
        fileDecryptsOrFailsNamingIt(doc);
        builtObjectDecryptsOrFailsWithASopsException(doc);
    }

    /** A corpus document, mutated. */
    static Doc document(Random r) {
        return mutate(CORPUS.get(r.nextInt(CORPUS.size())), r);
    }

    static void fileDecryptsOrFailsNamingIt(Doc doc) throws Exception {
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
            Path root = Files.createDirectories(fs.getPath("/repo"));
            String kind = doc.name().endsWith(".env") && doc.content().length % 2 == 0 ? "envs" : "files";
            Files.writeString(root.resolve("kustomization.yaml"),
                    "secretGenerator:\n- name: s\n  " + kind + ":\n  - " + doc.name() + "\n");
            Files.write(root.resolve(doc.name()), doc.content());
            try {
                assertThat(bounded(() -> KustomizationSources.decrypt(root, root, DECRYPTOR), doc)).isNotNull();
            } catch (SopsException e) {
                assertThat(e.getMessage()).as("message of %s", doc).startsWith(doc.name() + ": ");
            }
        }
    }

    static void builtObjectDecryptsOrFailsWithASopsException(Doc doc) throws Exception {
        Map<String, Object> object;
        if (doc.name().endsWith(".yaml") || doc.name().endsWith(".json")) {
            Object parsed;
            try {
                parsed = new Load(LoadSettings.builder().build()).loadFromString(new String(doc.content(), StandardCharsets.UTF_8));
            } catch (RuntimeException notYaml) {
                parsed = null; // the built object came from kustomize, which parsed it: nothing else to decrypt
            }
            object = parsed instanceof Map<?, ?> m ? stringKeys(m) : secret(doc);
        } else {
            object = secret(doc);
        }
        try {
            assertThat(bounded(() -> DECRYPTOR.decryptObject(object), doc)).isNotNull();
        } catch (SopsException e) {
            assertThat(e.getMessage()).as("message of %s", doc).isNotBlank();
        }
    }

    /**
     * Runs {@code work} in at most {@link #BOUND} (a timeout fails the property); what it throws is thrown as is.
     */
    static <T> T bounded(java.util.concurrent.Callable<T> work, Doc doc) throws Exception {
        return assertTimeoutPreemptively(BOUND, work::call, () -> "decryption did not finish within " + BOUND + ": " + doc);
    }

    private static Map<String, Object> secret(Doc doc) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put(doc.name(), Base64.getEncoder().encodeToString(doc.content()));
        Map<String, Object> secret = new LinkedHashMap<>();
        secret.put("apiVersion", "v1");
        secret.put("kind", "Secret");
        secret.put("metadata", new LinkedHashMap<>(Map.of("name", "s")));
        secret.put("data", data);
        return secret;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> stringKeys(Map<?, ?> m) {
        // kustomize's objects have string keys at the top; deeper keys stay as parsed
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    // ---- corpus: documents encrypted for KEY (and one other recipient), every format

    private static SopsDecryptor decryptor() {
        try {
            return new SopsDecryptor(AgeIdentities.fromSecret("sops-age",
                    Map.of("age.agekey", "# public key: " + KEY.recipient() + "\n" + KEY.identity() + "\n")));
        } catch (SopsException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Doc> corpus() {
        List<Doc> out = new ArrayList<>();
        Random r = new Random(1106);
        String other = SopsTestEncryptor.generateKey().recipient();
        for (int i = 0; i < 6; i++) {
            Map<String, Object> doc = plain(r);
            SopsTestEncryptor enc = i % 3 == 0 ? SopsTestEncryptor.forRecipients(other, KEY.recipient())
                    : SopsTestEncryptor.forRecipients(KEY.recipient());
            if (i == 1) {
                enc.encryptedRegex("^(data|password)$");
            }
            if (i == 2) {
                enc.macOnlyEncrypted(true);
            }
            out.add(new Doc("secret" + i + ".yaml", utf8(enc.yaml(doc)), "yaml " + i));
            out.add(new Doc("secret" + i + ".json", utf8(enc.json(doc)), "json " + i));
            List<String> lines = new ArrayList<>(List.of("# comment " + i, "USER=admin", "PASS=p@ss=word" + i,
                    "CERT=line1\nline2", "EMPTY="));
            out.add(new Doc("secret" + i + ".env", utf8(enc.dotenv(lines)), "dotenv " + i));
            byte[] bytes = new byte[r.nextInt(64)];
            r.nextBytes(bytes);
            out.add(new Doc("secret" + i + ".bin", utf8(enc.binary(bytes)), "binary " + i));
        }
        return List.copyOf(out);
    }

    private static Map<String, Object> plain(Random r) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("password", "pw-" + r.nextInt(1000));
        data.put("port", r.nextInt(65536));
        data.put("ratio", r.nextDouble());
        data.put("enabled", r.nextBoolean());
        data.put("empty", "");
        data.put("list", new ArrayList<>(List.of("a", 1L, false)));
        data.put("nested", new LinkedHashMap<>(Map.of("inner", "deep")));
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("name", "db");
        doc.put("data", data);
        doc.put("comment_unencrypted", "visible");
        return doc;
    }

    // ---- mutations

    static Doc mutate(Doc base, Random r) {
        byte[] content;
        String how;
        int op = r.nextInt(10);
        boolean tree = base.name().endsWith(".yaml") || base.name().endsWith(".json") || base.name().endsWith(".bin");
        if (op < 4 && tree) {
            how = "structural";
            content = structural(base, r);
        } else if (op < 6) {
            how = "ENC value";
            content = encValue(new String(base.content(), StandardCharsets.UTF_8), r);
        } else if (op < 9) {
            how = "textual";
            content = textual(base.content(), r);
        } else {
            how = "random lines";
            StringBuilder b = new StringBuilder();
            int n = r.nextInt(8);
            for (int i = 0; i < n; i++) {
                b.append(FIELDS.get(r.nextInt(FIELDS.size()))).append(TOKENS.get(r.nextInt(TOKENS.size())))
                        .append(scalar(r)).append('\n');
            }
            b.append(base.name().endsWith(".env") ? "sops_mac=ENC[x]\n" : "sops:\n  mac: ENC[x]\n");
            content = utf8(b.toString());
        }
        return new Doc(base.name(), content, base.how() + ": " + how);
    }

    private static byte[] structural(Doc base, Random r) {
        Object doc;
        try {
            doc = new Load(LoadSettings.builder().build()).loadFromString(new String(base.content(), StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            return textual(base.content(), r);
        }
        int rounds = 1 + r.nextInt(3);
        for (int i = 0; i < rounds; i++) {
            doc = mutateTree(doc, r, 0);
        }
        if (base.name().endsWith(".yaml")) {
            return utf8(new Dump(DumpSettings.builder().build()).dumpToString(doc));
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(jsonKeys(doc));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The tree with every map key as a string, as JSON has them (YAML's may be null, numbers, lists). */
    private static Object jsonKeys(Object node) {
        if (node instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), jsonKeys(v)));
            return out;
        }
        if (node instanceof List<?> l) {
            return l.stream().map(SopsFuzzTest::jsonKeys).toList();
        }
        return node;
    }

    /** Mutates one node; the {@code sops} block is chosen more often than the rest. */
    @SuppressWarnings("unchecked")
    private static Object mutateTree(Object node, Random r, int depth) {
        if (!(node instanceof Map<?, ?>) && !(node instanceof List<?>) || depth > 0 && r.nextInt(5) == 0) {
            return r.nextBoolean() ? scalar(r) : random(r, 3);
        }
        if (node instanceof Map<?, ?> map) {
            Map<Object, Object> m = new LinkedHashMap<>((Map<Object, Object>) map);
            List<Object> keys = new ArrayList<>(m.keySet());
            int op = r.nextInt(5);
            if (keys.isEmpty() || op == 0) {
                m.put(FIELDS.get(r.nextInt(FIELDS.size())), random(r, 2));
            } else {
                Object key = depth == 0 && m.containsKey("sops") && r.nextBoolean() ? "sops" : keys.get(r.nextInt(keys.size()));
                switch (op) {
                    case 1 -> m.remove(key);
                    case 2 -> m.put(key, random(r, 2));
                    default -> m.put(key, mutateTree(m.get(key), r, depth + 1));
                }
            }
            return m;
        }
        List<Object> l = new ArrayList<>((List<Object>) node);
        if (l.isEmpty() || r.nextInt(4) == 0) {
            l.add(random(r, 2));
        } else {
            int i = r.nextInt(l.size());
            switch (r.nextInt(3)) {
                case 0 -> l.remove(i);
                case 1 -> l.add(l.get(i));
                default -> l.set(i, mutateTree(l.get(i), r, depth + 1));
            }
        }
        return l;
    }

    private static Object random(Random r, int depth) {
        if (depth <= 0 || r.nextInt(3) == 0) {
            return scalar(r);
        }
        if (r.nextBoolean()) {
            Map<Object, Object> m = new LinkedHashMap<>();
            for (int i = r.nextInt(4); i > 0; i--) {
                m.put(r.nextInt(8) == 0 ? scalar(r) : FIELDS.get(r.nextInt(FIELDS.size())), random(r, depth - 1));
            }
            return m;
        }
        List<Object> l = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) {
            l.add(random(r, depth - 1));
        }
        return l;
    }

    private static Object scalar(Random r) {
        return switch (r.nextInt(8)) {
            case 0 -> null;
            case 1 -> r.nextBoolean();
            case 2 -> r.nextLong();
            case 3 -> r.nextDouble();
            case 4 -> "ENC[AES256_GCM,data:" + b64(r, r.nextInt(40)) + ",iv:" + b64(r, 32) + ",tag:" + b64(r, 16)
                    + ",type:" + List.of("str", "int", "float", "bool", "bytes", "comment", "x").get(r.nextInt(7)) + "]";
            case 5 -> List.of("", "2024-01-01T00:00:00Z", "not a time", "^.*$", "[", "(a+)+$", "age1xyz",
                    "-----BEGIN AGE ENCRYPTED FILE-----\nAAAA\n-----END AGE ENCRYPTED FILE-----\n", "3.7.3",
                    "_unencrypted", "true").get(r.nextInt(11)); // 11 entries
            default -> "v" + r.nextInt(100);
        };
    }

    private static String b64(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    /** Changes one part of one {@code ENC[...]} value: its data, iv, tag, type, or the brackets. */
    private static byte[] encValue(String text, Random r) {
        List<Integer> starts = new ArrayList<>();
        for (int i = text.indexOf("ENC["); i >= 0; i = text.indexOf("ENC[", i + 1)) {
            starts.add(i);
        }
        if (starts.isEmpty()) {
            return textual(utf8(text), r);
        }
        int start = starts.get(r.nextInt(starts.size()));
        int end = text.indexOf(']', start);
        if (end < 0) {
            return textual(utf8(text), r);
        }
        String value = text.substring(start, end + 1);
        String[] parts = {"data:", "iv:", "tag:", "type:"};
        String part = parts[r.nextInt(parts.length)];
        int p = value.indexOf(part);
        String changed;
        if (p < 0 || r.nextInt(6) == 0) {
            changed = r.nextBoolean() ? value.substring(0, r.nextInt(value.length())) : value.replace(",", ",,");
        } else {
            int from = p + part.length();
            int to = value.indexOf(',', from);
            to = to < 0 ? value.length() - 1 : to;
            String replacement = switch (r.nextInt(4)) {
                case 0 -> "";
                case 1 -> b64(r, r.nextInt(48));
                case 2 -> "!!!not base64";
                default -> value.substring(from, to).isEmpty() ? "A" : flip(value.substring(from, to), r);
            };
            changed = value.substring(0, from) + replacement + value.substring(to);
        }
        return utf8(text.substring(0, start) + changed + text.substring(end + 1));
    }

    private static String flip(String s, Random r) {
        char[] c = s.toCharArray();
        int i = r.nextInt(c.length);
        c[i] = c[i] == 'A' ? 'B' : 'A';
        return new String(c);
    }

    private static byte[] textual(byte[] content, Random r) {
        StringBuilder s = new StringBuilder(new String(content, StandardCharsets.UTF_8));
        for (int round = 1 + r.nextInt(4); round > 0; round--) {
            int at = s.length() == 0 ? 0 : r.nextInt(s.length());
            switch (r.nextInt(5)) {
                case 0 -> s.insert(at, TOKENS.get(r.nextInt(TOKENS.size())));
                case 1 -> s.delete(at, Math.min(s.length(), at + 1 + r.nextInt(20)));
                case 2 -> {
                    int start = s.lastIndexOf("\n", at) + 1;
                    int end = s.indexOf("\n", start);
                    s.insert(start, s.substring(start, end < 0 ? s.length() : end) + "\n");
                }
                case 3 -> s.setLength(at);
                default -> {
                    if (s.length() > 0) {
                        s.setCharAt(at, (char) (32 + r.nextInt(95)));
                    }
                }
            }
        }
        byte[] out = utf8(s.toString());
        if (out.length > 0 && r.nextInt(8) == 0) {
            out[r.nextInt(out.length)] = (byte) r.nextInt(256);
        }
        return out;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

package io.conflux.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.conflux.model.helm.HelmRelease;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.GoDuration;
import io.conflux.model.notification.Alert;
import io.conflux.model.notification.Provider;
import io.conflux.model.notification.Receiver;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.HelmRepository;
import io.conflux.model.source.Revision;
import io.conflux.model.topic.FluxEvent;
import io.conflux.model.topic.RenderResult;
import io.conflux.model.topic.SourceRevision;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Fuzzes the decoders of the model's Flux types: the Kafka record values as the services' deserializers read them
 * (Quarkus' {@code ObjectMapperDeserializer} is a Jackson {@code readValue} into {@link SourceRevision},
 * {@link RenderResult}, {@link FluxEvent}), and the Flux objects ({@link Kustomization}, {@link HelmRelease},
 * {@link GitRepository}, {@link HelmRepository}, {@link Receiver}, {@link Provider}, {@link Alert}) as fabric8's
 * {@link KubernetesSerialization} reads them from JSON or YAML — followed by what the consumers first read from a
 * decoded value (its object key, revision, Go durations). Inputs are real shapes (the fixture repositories' Flux
 * objects, records as the services write them) mutated as JSON trees (fields replaced, retyped, deleted, nested
 * deep) or as text, and random bytes. Every input must decode or be rejected with a Jackson, YAML or fabric8 error or the
 * model's {@link IllegalArgumentException} naming the value, within {@link #BOUND}; a NullPointerException,
 * ClassCastException and the like count as failures.
 * <p>{@link #fuzz} is the Jazzer target: in the default build it replays the committed inputs in
 * {@code src/test/resources/io/conflux/model/FluxDecodingFuzzTestInputs/fuzz/}; with {@code JAZZER_FUZZ} set
 * ({@code -Pfuzz}) it fuzzes coverage-guided. {@link #everyInputDecodesOrIsRejectedClearly} runs the same property
 * over {@code fuzz.tries} seeded {@link Random}s (200; 10,000 with {@code -Pfuzz}).
 */
class FluxDecodingFuzzTest {
    /** Time allowed to one decoding; longer is a hang. */
    static final Duration BOUND = Duration.ofSeconds(5);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final KubernetesSerialization KUBE = new KubernetesSerialization();
    private static final Map<String, Class<?>> TYPES = Map.of("SourceRevision", SourceRevision.class,
            "RenderResult", RenderResult.class, "FluxEvent", FluxEvent.class, "Kustomization", Kustomization.class,
            "HelmRelease", HelmRelease.class, "GitRepository", GitRepository.class, "HelmRepository",
            HelmRepository.class, "Receiver", Receiver.class, "Provider", Provider.class, "Alert", Alert.class);
    private static final List<String> STRINGS = List.of("", "/", "//", "a/b", "a/b/c", "a/b/c/d", "main@sha1:x", "sha1:" + "0".repeat(40),
                        "10m", "1h0m0s", "-1s", "1.5.5s", "9999999999999999999h", "µs", ".5s", "0", "Kustomization",
                        "GitRepository/ns/name", "*", "\u0000", "\uFFFD");
    private static final List<Sample> CORPUS = corpus();
    private static final List<String> FIELDS = List.of("apiVersion", "kind", "metadata", "name", "namespace", "spec",
            "status", "interval", "timeout", "retryInterval", "sourceRef", "path", "prune", "suspend", "url", "ref",
            "branch", "tag", "semver", "commit", "chart", "values", "valuesFrom", "dependsOn", "type", "events",
            "resources", "secretRef", "providerRef", "eventSources", "eventSeverity", "conditions", "source",
            "generation", "revision", "trigger", "deliveryId", "object", "bundleDigest", "objectCount", "error",
            "involvedObject", "severity", "timestamp", "message", "reason", "metadata", "labels", "annotations");

    /**
     * One input.
     *
     * @param type  the model type it is decoded into
     * @param yaml  whether it is YAML text (Flux objects only), else JSON
     * @param bytes the input
     * @param how   where it came from and how it was changed
     */
    record Sample(String type, boolean yaml, byte[] bytes, String how) {
        @Override
        public String toString() {
            String text = new String(bytes, StandardCharsets.UTF_8);
            return "Sample[" + type + (yaml ? " yaml" : " json") + ", " + how + ", " + bytes.length + " bytes:\n"
                    + text.substring(0, Math.min(1500, text.length())) + "]";
        }
    }

    /** Seeded tries of the property: the build's {@code fuzz.tries} (200; 10,000 with {@code -Pfuzz}). */
    static final int TRIES = Integer.getInteger("fuzz.tries", 200);
    /** Seed of the first try; try {@code i} uses {@code SEED + i}. */
    static final long SEED = 1106;
    /** The type names in a fixed order, for the fuzzer's choice ({@code Map.of} iterates in no fixed order). */
    private static final List<String> TYPE_NAMES = TYPES.keySet().stream().sorted().toList();

    @Test
    void everyInputDecodesOrIsRejectedClearly() throws Exception {
        for (long seed = SEED; seed < SEED + TRIES; seed++) {
            Random r = new Random(seed);
            try {
                decodesOrIsRejectedClearly(mutate(CORPUS.get(r.nextInt(CORPUS.size())), r));
            } catch (Exception | AssertionError e) {
                throw new AssertionError("try with java.util.Random seed " + seed + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * The Jazzer target. The input's last byte picks the shape (mod 2) and the 8 bytes before it seed a
     * {@link Random}: 0 a mutated corpus sample, 1 the remaining bytes decoded into a type the seed picks (YAML or
     * JSON alike for Flux objects, as fabric8 reads both).
     */
    @FuzzTest(maxExecutions = 10_000)
    void fuzz(FuzzedDataProvider data) throws Exception {
        int shape = Math.floorMod(data.consumeByte(), 2);
        Random r = new Random(data.consumeLong());
        decodesOrIsRejectedClearly(shape == 0 ? mutate(CORPUS.get(r.nextInt(CORPUS.size())), r)
                : new Sample(TYPE_NAMES.get(r.nextInt(TYPE_NAMES.size())), false, data.consumeRemainingAsBytes(), "fuzzer bytes"));
    }

    static void decodesOrIsRejectedClearly(Sample sample) throws Exception {
        try {
            bounded(sample);
        } catch (IOException | KubernetesClientException | IllegalArgumentException | YamlEngineException e) {
            assertThat(rejection(e)).as("rejection %s of %s", e, sample).isTrue();
        }
    }

    /** Decodes in at most {@link #BOUND} (a timeout fails the property); what decoding throws is thrown as is. */
    private static Object bounded(Sample sample) throws Exception {
        return assertTimeoutPreemptively(BOUND, () -> decodeAndRead(sample),
                () -> "decoding did not finish within " + BOUND + ": " + sample);
    }

    /**
     * A Jackson error (syntax, type, stream limits), a YAML syntax error of fabric8's YAML reader (snakeyaml-engine,
     * with its position), fabric8's wrapping of one, or the model's own message. Jackson's byte decoders (it detects
     * UTF-8/16/32 from the first bytes) refuse undecodable bytes with a {@link java.io.CharConversionException} naming
     * the char and byte position, not a {@code JacksonException}: that is a rejection too (found by Jazzer).
     */
    private static boolean rejection(Throwable e) {
        if (e instanceof JacksonException || e instanceof YamlEngineException || jacksonDecoding(e)) {
            return true;
        }
        if (e instanceof KubernetesClientException) {
            Throwable c = e.getCause();
            return c instanceof JacksonException || c instanceof IOException
                    || c != null && c.getClass().getName().startsWith("org.yaml.snakeyaml.");
        }
        return e instanceof IllegalArgumentException && e.getClass() == IllegalArgumentException.class
                && e.getMessage() != null && !e.getMessage().isBlank();
    }

    private static boolean jacksonDecoding(Throwable e) {
        return e instanceof java.io.CharConversionException && e.getStackTrace().length > 0
                && e.getStackTrace()[0].getClassName().startsWith("com.fasterxml.jackson.");
    }

    /** Decodes as the service does, then reads what its consumer reads first. */
    private static Object decodeAndRead(Sample sample) throws IOException {
        Class<?> type = TYPES.get(sample.type());
        if (type == SourceRevision.class) {
            SourceRevision v = JSON.readValue(sample.bytes(), SourceRevision.class);
            if (v != null) {
                v.sourceKey();
                Revision.parse(v.revision());
            }
            return v;
        }
        if (type == RenderResult.class) {
            RenderResult v = JSON.readValue(sample.bytes(), RenderResult.class);
            if (v != null) {
                v.objectKey();
                v.failed();
            }
            return v;
        }
        if (type == FluxEvent.class) {
            return JSON.readValue(sample.bytes(), FluxEvent.class);
        }
        Object o = KUBE.unmarshal(new String(sample.bytes(), StandardCharsets.UTF_8), type);
        if (o instanceof Kustomization k && k.getSpec() != null) {
            k.getSpec().suspended();
            k.getSpec().pruneEnabled();
            GoDuration.parseOr(k.getSpec().interval(), Duration.ofMinutes(10));
            GoDuration.parseOr(k.getSpec().timeout(), Duration.ofMinutes(10));
            GoDuration.parseOr(k.getSpec().retryInterval(), Duration.ofMinutes(10));
        } else if (o instanceof GitRepository g && g.getSpec() != null) {
            g.getSpec().suspended();
            GoDuration.parseOr(g.getSpec().interval(), Duration.ofMinutes(10));
            GoDuration.parseOr(g.getSpec().timeout(), Duration.ofMinutes(1));
        } else if (o instanceof HelmRelease h && h.getSpec() != null) {
            GoDuration.parseOr(h.getSpec().interval(), Duration.ofMinutes(10));
        } else if (o instanceof HelmRepository h && h.getSpec() != null) {
            GoDuration.parseOr(h.getSpec().interval(), Duration.ofMinutes(10));
        } else if (o instanceof Receiver r && r.getSpec() != null) {
            GoDuration.parseOr(r.getSpec().interval(), Duration.ofMinutes(10));
        } else if (o instanceof Provider p && p.getSpec() != null) {
            GoDuration.parseOr(p.getSpec().timeout(), Duration.ofSeconds(15));
        }
        return o;
    }

    // ---- corpus

    private static List<Sample> corpus() {
        List<Sample> out = new ArrayList<>();
        String sha = "4e5cbb7b97d0c1ee6e8c0c9f7f0b0f1f2e3d4c5b";
        out.add(json("SourceRevision", "{\"source\":\"GitRepository/flux-system/infra\",\"generation\":3,"
                + "\"url\":\"https://github.com/acme/infra.git\",\"ref\":{\"branch\":\"main\"},\"revision\":\"main@sha1:"
                + sha + "\",\"trigger\":\"webhook\",\"deliveryId\":\"72d3162e\",\"observedAt\":\"2026-12-06T10:00:00Z\"}"));
        out.add(json("RenderResult", "{\"object\":\"Kustomization/flux-system/apps\",\"generation\":2,"
                + "\"sourceRevision\":\"main@sha1:" + sha + "\",\"bundleDigest\":\"sha256:" + "ab".repeat(32)
                + "\",\"objectCount\":12,\"renderedAt\":\"2026-12-06T10:00:01Z\"}"));
        out.add(json("RenderResult", "{\"object\":\"HelmRelease/podinfo/podinfo\",\"generation\":1,\"reason\":"
                + "\"BuildFailed\",\"error\":\"kustomization.yaml:3:1: mapping values are not allowed here\"}"));
        out.add(json("FluxEvent", "{\"involvedObject\":{\"kind\":\"Kustomization\",\"namespace\":\"flux-system\","
                + "\"name\":\"apps\",\"uid\":\"u-1\",\"apiVersion\":\"kustomize.toolkit.fluxcd.io/v1\"},\"severity\":"
                + "\"info\",\"timestamp\":\"2026-12-06T10:00:02Z\",\"message\":\"Reconciliation finished\",\"reason\":"
                + "\"ReconciliationSucceeded\",\"metadata\":{\"revision\":\"main@sha1:" + sha + "\"},"
                + "\"reportingController\":\"kustomize-controller\"}"));
        out.add(yaml("Receiver", """
                apiVersion: notification.toolkit.fluxcd.io/v1
                kind: Receiver
                metadata: {name: github-receiver, namespace: flux-system}
                spec:
                  type: github
                  events: ["ping", "push"]
                  secretRef: {name: webhook-token}
                  resources:
                  - {apiVersion: source.toolkit.fluxcd.io/v1, kind: GitRepository, name: flux-system}
                  - {kind: Kustomization, name: '*', matchLabels: {app: web}}
                """));
        out.add(yaml("Provider", """
                apiVersion: notification.toolkit.fluxcd.io/v1beta3
                kind: Provider
                metadata: {name: slack, namespace: flux-system}
                spec: {type: slack, channel: general, address: 'https://slack.com/api/chat.postMessage', secretRef: {name: slack-url}, timeout: 15s}
                """));
        out.add(yaml("Alert", """
                apiVersion: notification.toolkit.fluxcd.io/v1beta3
                kind: Alert
                metadata: {name: on-call, namespace: flux-system}
                spec:
                  providerRef: {name: slack}
                  eventSeverity: error
                  eventSources:
                  - {kind: GitRepository, name: '*'}
                  - {kind: Kustomization, name: apps, namespace: flux-system}
                  inclusionList: [".*succeeded.*"]
                  eventMetadata: {env: prod}
                """));
        out.add(yaml("GitRepository", """
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: GitRepository
                metadata: {name: infra, namespace: flux-system}
                spec:
                  interval: 1m0s
                  url: ssh://git@github.com/acme/infra
                  ref: {semver: ">=1.0.0 <2.0.0"}
                  secretRef: {name: ssh}
                  ignore: |
                    /*
                    !/deploy
                  include:
                  - repository: {name: shared}
                    fromPath: deploy
                    toPath: shared
                """));
        Path repos = Path.of("../../shared/fixtures/repos");
        if (Files.isDirectory(repos)) {
            try (Stream<Path> s = Files.walk(repos)) {
                for (Path f : s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                    for (String doc : Files.readString(f).split("(?m)^---\\s*$")) {
                        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^kind: (\\w+)\\s*$").matcher(doc);
                        if (m.find() && TYPES.containsKey(m.group(1))) {
                            out.add(new Sample(m.group(1), true, doc.getBytes(StandardCharsets.UTF_8), "fixture " + repos.relativize(f)));
                        }
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        // every Flux object as JSON too, as the API server sends it
        for (Sample s : List.copyOf(out)) {
            if (s.yaml()) {
                try {
                    Object tree = new org.yaml.snakeyaml.Yaml().load(new String(s.bytes(), StandardCharsets.UTF_8));
                    out.add(new Sample(s.type(), false, JSON.writeValueAsBytes(tree), s.how() + " as JSON"));
                } catch (IOException | RuntimeException e) {
                    throw new IllegalStateException("corpus sample " + s.how(), e);
                }
            }
        }
        return List.copyOf(out);
    }

    private static Sample json(String type, String text) {
        return new Sample(type, false, text.getBytes(StandardCharsets.UTF_8), "record " + type);
    }

    private static Sample yaml(String type, String text) {
        return new Sample(type, true, text.getBytes(StandardCharsets.UTF_8), "object " + type);
    }

    // ---- mutations

    static Sample mutate(Sample base, Random r) {
        int op = r.nextInt(10);
        if (op < 5) {
            try {
                JsonNode tree = JSON.readTree(base.yaml() ? JSON.writeValueAsBytes(new org.yaml.snakeyaml.Yaml()
                        .load(new String(base.bytes(), StandardCharsets.UTF_8))) : base.bytes());
                for (int i = 1 + r.nextInt(3); i > 0; i--) {
                    tree = mutateNode(tree, r, 0);
                }
                return new Sample(base.type(), false, JSON.writeValueAsBytes(tree), base.how() + ": structural");
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException("corpus sample " + base.how(), e);
            }
        }
        if (op < 8) {
            return new Sample(base.type(), base.yaml(), textual(base.bytes(), r), base.how() + ": textual");
        }
        if (op < 9) {
            int depth = 100 + r.nextInt(3000);
            String open = r.nextBoolean() ? "[" : "{\"spec\":";
            String close = open.equals("[") ? "]" : "}";
            String deep = open.repeat(depth) + "1" + close.repeat(depth);
            String text = "{\"apiVersion\":\"v1\",\"kind\":\"" + base.type() + "\",\"metadata\":{\"name\":\"a\"},\"spec\":" + deep + "}";
            return new Sample(base.type(), false, text.getBytes(StandardCharsets.UTF_8), "nesting of depth " + depth);
        }
        byte[] bytes = new byte[r.nextInt(200)];
        r.nextBytes(bytes);
        return new Sample(base.type(), r.nextBoolean(), bytes, "random bytes");
    }

    private static JsonNode mutateNode(JsonNode node, Random r, int depth) {
        if (!node.isContainerNode() || depth > 0 && r.nextInt(5) == 0) {
            return randomNode(r, 3);
        }
        if (node instanceof ObjectNode o) {
            ObjectNode copy = o.deepCopy();
            List<String> names = new ArrayList<>();
            for (Iterator<String> it = copy.fieldNames(); it.hasNext(); ) {
                names.add(it.next());
            }
            int op = r.nextInt(5);
            if (names.isEmpty() || op == 0) {
                copy.set(FIELDS.get(r.nextInt(FIELDS.size())), randomNode(r, 3));
            } else {
                String name = names.get(r.nextInt(names.size()));
                switch (op) {
                    case 1 -> copy.remove(name);
                    case 2 -> copy.set(name, randomNode(r, 2));
                    default -> copy.set(name, mutateNode(copy.get(name), r, depth + 1));
                }
            }
            return copy;
        }
        ArrayNode a = ((ArrayNode) node).deepCopy();
        if (a.isEmpty() || r.nextInt(4) == 0) {
            a.add(randomNode(r, 2));
        } else {
            int i = r.nextInt(a.size());
            switch (r.nextInt(3)) {
                case 0 -> a.remove(i);
                case 1 -> a.add(a.get(i).deepCopy());
                default -> a.set(i, mutateNode(a.get(i), r, depth + 1));
            }
        }
        return a;
    }

    private static JsonNode randomNode(Random r, int depth) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (depth <= 0 || r.nextInt(3) == 0) {
            return switch (r.nextInt(9)) {
                case 0 -> f.nullNode();
                case 1 -> f.booleanNode(r.nextBoolean());
                case 2 -> f.numberNode(r.nextLong());
                case 3 -> f.numberNode(r.nextDouble() * 1e300);
                case 4 -> f.numberNode(new java.math.BigInteger(200, r));
                case 5 -> f.textNode(STRINGS.get(r.nextInt(STRINGS.size())));
                default -> f.textNode("v" + r.nextInt(100));
            };
        }
        if (r.nextBoolean()) {
            ObjectNode o = f.objectNode();
            for (int i = r.nextInt(4); i > 0; i--) {
                o.set(FIELDS.get(r.nextInt(FIELDS.size())), randomNode(r, depth - 1));
            }
            return o;
        }
        ArrayNode a = f.arrayNode();
        for (int i = r.nextInt(4); i > 0; i--) {
            a.add(randomNode(r, depth - 1));
        }
        return a;
    }

    private static byte[] textual(byte[] content, Random r) {
        List<String> tokens = List.of(":", ": ", "- ", "{", "}", "[", "]", "\"", "'", ",", "\n", "\\", "\\u", "null",
                "1e99999", "-", "&a ", "*a", "!!binary ", "!!java.lang.Object ", "\u0000", "/*", "#");
        StringBuilder s = new StringBuilder(new String(content, StandardCharsets.UTF_8));
        for (int round = 1 + r.nextInt(4); round > 0; round--) {
            int at = s.length() == 0 ? 0 : r.nextInt(s.length());
            switch (r.nextInt(4)) {
                case 0 -> s.insert(at, tokens.get(r.nextInt(tokens.size())));
                case 1 -> s.delete(at, Math.min(s.length(), at + 1 + r.nextInt(20)));
                case 2 -> s.setLength(at);
                default -> {
                    if (s.length() > 0) {
                        s.setCharAt(at, (char) (32 + r.nextInt(95)));
                    }
                }
            }
        }
        byte[] out = s.toString().getBytes(StandardCharsets.UTF_8);
        if (out.length > 0 && r.nextInt(8) == 0) {
            out[r.nextInt(out.length)] = (byte) r.nextInt(256);
        }
        return out;
    }
}

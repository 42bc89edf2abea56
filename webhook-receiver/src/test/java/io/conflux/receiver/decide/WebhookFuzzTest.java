package io.conflux.receiver.decide;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.conflux.model.meta.LocalObjectReference;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.notification.ReceiverSpec;
import io.conflux.receiver.decide.HookRegistry.Hook;
import io.conflux.receiver.decide.Verdict.Decision;
import io.conflux.receiver.decide.WebhookHandler.Reply;
import io.quarkus.runtime.configuration.MemorySize;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the webhook handler with the headers and bodies of every Receiver type ({@code github}, {@code gitlab},
 * {@code generic}, {@code generic-hmac}): real GitHub and GitLab push and ping payloads, mutated as JSON trees or as
 * text, form-encoded, nested deep, made huge, or random bytes; signatures valid over the mutated body, over the
 * original, forged or malformed; GitLab tokens right and wrong; event and delivery headers of odd values; header names
 * in odd casing and sent twice (joined with {@code ,}, as JAX-RS' {@code getHeaderString} does).
 * <ul>
 * <li>{@link #everyRequestGetsAVerdict}: {@link WebhookVerifier} answers every request with a verdict — reject 400/401,
 * ignore or trigger 200 — never an exception; what the handler stores next for a request with a delivery id fits
 * {@code webhook_delivery} (key ≤ 600, event ≤ 128 characters, no NUL: else the insert fails and the answer is 500),
 * and what it reads from a push ({@link GitPush}) does not throw;
 * a GitHub request correctly signed over a JSON object is never refused as unauthenticated.</li>
 * <li>{@link #everyRequestGetsA2xxOr4xx}: {@link WebhookHandler#handle} with the real registry, rate limiter and
 * source cache answers 2xx or 4xx, never 5xx or an exception. Requests carry no delivery id here (claiming one needs
 * PostgreSQL, which {@code WebhookFlowTest} covers), and the Receivers select nothing to reconcile.</li>
 * </ul>
 * Each request is bounded by {@link #BOUND}.
 * <p>{@link #fuzz} is the Jazzer target: in the default build it replays the committed inputs in
 * {@code src/test/resources/io/conflux/receiver/decide/WebhookFuzzTestInputs/fuzz/}; with {@code JAZZER_FUZZ} set
 * ({@code -Pfuzz}) it fuzzes coverage-guided. The two {@code @Test}s run the same properties over {@code fuzz.tries}
 * seeded {@link Random}s (200; 10,000 with {@code -Pfuzz}).
 */
class WebhookFuzzTest {
    /** Time allowed to one request; longer is a hang. */
    static final Duration BOUND = Duration.ofSeconds(5);
    static final String TOKEN = "fuzz-webhook-token";
    static final String NS = "flux-system";
    static final List<String> TYPES = List.of("github", "gitlab", "generic", "generic-hmac");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHA1 = "4e5cbb7b97d0c1ee6e8c0c9f7f0b0f1f2e3d4c5b";
    private static final String SHA2 = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c";
    private static final List<String> FIELDS = List.of("ref", "before", "after", "repository", "project", "clone_url",
            "html_url", "ssh_url", "git_url", "git_http_url", "git_ssh_url", "web_url", "url", "homepage", "commits",
            "head_commit", "pusher", "sender", "id", "name", "created", "deleted", "forced", "object_kind",
            "checkout_sha", "zen", "hook_id", "payload");
    private static final List<String> STRINGS = List.of("", " ", "refs/heads/main", "refs/heads/", "refs/tags/v1.0.0",
            "refs/heads/feature/x", "refs/pull/1/head", "0".repeat(40), SHA1, SHA2, SHA1.toUpperCase(Locale.ROOT), "zz",
            "https://github.com/acme/infra.git", "git@github.com:acme/infra.git", "ssh://git@github.com:22/acme/infra",
            "https://gitlab.com/acme/infra", "HTTPS://GITHUB.COM/ACME/INFRA/", ":", "@", "//", "a://", "\u0000", "\uFFFD",
            "x".repeat(5000));

    /**
     * One request.
     *
     * @param type    the Receiver type it is sent to
     * @param headers header name and value pairs, in order (names may repeat and differ in case)
     * @param body    the raw body
     * @param how     how it was made
     */
    record Request(String type, List<Map.Entry<String, String>> headers, byte[] body, String how) {
        /** Case-insensitive lookup, repeated headers joined with {@code ,} (JAX-RS {@code getHeaderString}). */
        UnaryOperator<String> lookup() {
            return name -> {
                List<String> values = headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name))
                        .map(Map.Entry::getValue).toList();
                return values.isEmpty() ? null : String.join(",", values);
            };
        }

        @Override
        public String toString() {
            String text = new String(body, StandardCharsets.UTF_8);
            return "Request[" + type + ", " + how + ", headers " + headers.stream()
                    .map(h -> h.getKey() + ": " + abbreviate(h.getValue(), 100)).toList() + ", " + body.length + " bytes:\n"
                    + abbreviate(text, 1500) + "]";
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
    void everyRequestGetsAVerdict() throws Exception {
        tries(r -> getsAVerdict(request(r)));
    }

    @Test
    void everyRequestGetsA2xxOr4xx() throws Exception {
        tries(r -> getsA2xxOr4xx(request(r), digest(r)));
    }

    /**
     * The Jazzer target, both properties on one request. The input's last byte picks the shape (mod 2) and the 8
     * bytes before it seed a {@link Random}: 0 a generated request, 1 a request of the seed's Receiver type, headers
     * and signature (mostly valid) whose body is the remaining bytes. The request goes to the Receiver's path, or 1 in
     * 10 times to a digest from the seed.
     */
    @FuzzTest(maxExecutions = 10_000)
    void fuzz(FuzzedDataProvider data) {
        int shape = Math.floorMod(data.consumeByte(), 2);
        Random r = new Random(data.consumeLong());
        Request request = shape == 0 ? request(r) : request(r, data.consumeRemainingAsBytes());
        getsAVerdict(request);
        getsA2xxOr4xx(request, digest(r));
    }

    static void getsAVerdict(Request request) {
        Verdict v = assertTimeoutPreemptively(BOUND, () -> WebhookVerifier.verify(request.type(), TOKEN, events(request),
                request.lookup(), request.body()), () -> "no verdict within " + BOUND + ": " + request);
        assertThat(v).as("verdict of %s", request).isNotNull();
        switch (v.decision()) {
            case REJECT -> assertThat(v.status()).as("status of %s", request).isIn(400, 401);
            case IGNORE, TRIGGER -> assertThat(v.status()).as("status of %s", request).isEqualTo(200);
            default -> throw new AssertionError("decision " + v.decision());
        }
        assertThat(v.message()).as("message of %s", request).isNotBlank();
        if (v.decision() == Decision.TRIGGER) {
            if (v.delivery() != null) {
                // the handler records both in webhook_delivery before acting; PostgreSQL refuses NUL in text
                assertThat(v.delivery().key().length()).as("delivery key of %s (webhook_delivery.delivery_key)", request)
                        .isLessThanOrEqualTo(600);
                assertThat(v.delivery().key()).as("delivery key of %s", request).doesNotContain("\u0000");
                assertThat(v.event().length()).as("event of %s (webhook_delivery.event)", request).isLessThanOrEqualTo(128);
                assertThat(v.event()).as("event of %s", request).doesNotContain("\u0000");
            }
        }
        String event = request.lookup().apply("X-GitHub-Event");
        if (request.how().startsWith("github signed") && json(request.body()) && event != null && !event.isBlank()
                && request.headers().stream().filter(h -> h.getKey().toLowerCase(Locale.ROOT).startsWith("x-hub-signature")).count() == 1) {
            assertThat(v.status()).as("a correctly signed request is authentic: %s", request).isNotEqualTo(401);
        }
    }

    static void getsA2xxOr4xx(Request request, String digest) {
        WebhookHandler handler = handler();
        Request anonymous = new Request(request.type(), request.headers().stream()
                .filter(h -> !h.getKey().equalsIgnoreCase("X-GitHub-Delivery") && !h.getKey().equalsIgnoreCase("X-Gitlab-Event-UUID"))
                .toList(), request.body(), request.how());
        String path = digest.equals("receiver") ? WebhookPath.digest(TOKEN, anonymous.type() + "-receiver", NS) : digest;
        Reply reply = assertTimeoutPreemptively(BOUND, () -> handler.handle(path, anonymous.lookup(), anonymous.body())
                .await().atMost(BOUND), () -> "no answer within " + BOUND + ": " + anonymous);
        assertThat(reply.status()).as("status of %s (%s)", anonymous, reply.body()).isBetween(200, 499);
        assertThat(reply.status() / 100).as("status of %s (%s)", anonymous, reply.body()).isNotEqualTo(3);
        assertThat(reply.body()).as("body of %s", anonymous).isNotNull().containsKey("status");
    }

    /** The handler over real collaborators: every Receiver type registered, none selecting anything. */
    static WebhookHandler handler() {
        WebhookHandler h = new WebhookHandler();
        h.hooks = new HookRegistry();
        for (String type : TYPES) {
            String name = type + "-receiver";
            ReceiverSpec spec = new ReceiverSpec(type, null, type.startsWith("generic") ? null : List.of("push", "Push Hook", "ping"),
                    null, new LocalObjectReference("token"), null);
            h.hooks.register(new Hook(new ObjectKey("Receiver", NS, name), WebhookPath.digest(TOKEN, name, NS), TOKEN, spec));
        }
        h.config = CONFIG;
        h.limiter = new RateLimiter();
        h.limiter.configure(1_000_000, Duration.ofSeconds(1));
        h.sources = new SourceCache();
        return h;
    }

    /** {@code conflux.receiver.*} as in application.properties, with a smaller body limit so that 413 is reached. */
    static final ReceiverConfig CONFIG = new ReceiverConfig() {
        @Override
        public MemorySize maxBodySize() {
            return new MemorySize(BigInteger.valueOf(256 * 1024));
        }

        @Override
        public RateLimit rateLimit() {
            return new RateLimit() {
                @Override
                public int requests() {
                    return 1_000_000;
                }

                @Override
                public Duration period() {
                    return Duration.ofSeconds(1);
                }
            };
        }

        @Override
        public Duration defaultTimeout() {
            return Duration.ofSeconds(20);
        }

        @Override
        public Duration fallbackInterval() {
            return Duration.ofMinutes(10);
        }

        @Override
        public Duration receiverResync() {
            return Duration.ofMinutes(10);
        }

        @Override
        public Duration requeueAfterFailure() {
            return Duration.ofSeconds(30);
        }

        @Override
        public Optional<Path> controlTokenFile() {
            return Optional.empty();
        }

        @Override
        public int warmUpRequests() {
            return 3;
        }
    };

    private static List<String> events(Request request) {
        return request.type().startsWith("generic") ? null : List.of("push", "Push Hook", "ping");
    }

    /** 9 in 10 {@code "receiver"} (the Receiver's own path), else a random string of up to 80 characters. */
    static String digest(Random r) {
        if (r.nextInt(10) < 9) {
            return "receiver";
        }
        StringBuilder b = new StringBuilder();
        for (int n = r.nextInt(81); n > 0; n--) {
            b.append((char) (r.nextInt(4) == 0 ? r.nextInt(0x3000) : 32 + r.nextInt(95)));
        }
        return b.toString();
    }

    // ---- generation

    static Request request(Random r) {
        return request(r, null);
    }

    /** A request from {@code r}; with {@code raw}, that is its body (and what a signature over the original covers). */
    static Request request(Random r, byte[] raw) {
        String type = TYPES.get(r.nextInt(TYPES.size()));
        boolean gitlab = type.equals("gitlab") || type.startsWith("generic") && r.nextBoolean();
        String how;
        byte[] original = raw != null ? raw
                : utf8(gitlab ? gitlabPush() : r.nextInt(5) == 0 ? "{\"zen\":\"Design for failure.\",\"hook_id\":1}" : githubPush());
        byte[] body;
        int shape = raw != null ? -1 : r.nextInt(12);
        if (shape < 0) {
            how = "fuzzer bytes";
            body = raw;
        } else if (shape < 3) {
            how = "valid payload";
            body = original;
        } else if (shape < 7) {
            how = "structural";
            body = structural(original, r);
        } else if (shape < 9) {
            how = "textual";
            body = textual(original, r);
        } else if (shape < 10) {
            int depth = 10 + r.nextInt(r.nextBoolean() ? 900 : 5000);
            boolean array = r.nextBoolean();
            String deep = (array ? "[" : "{\"a\":").repeat(depth) + "1" + (array ? "]" : "}").repeat(depth);
            body = utf8("{\"ref\":\"refs/heads/main\",\"after\":\"" + SHA2 + "\",\"commits\":" + deep + "}");
            how = "nesting of depth " + depth;
        } else if (shape < 11) {
            int n = 1000 + r.nextInt(r.nextBoolean() ? 20_000 : 60_000);
            body = utf8("{\"ref\":\"refs/heads/main\",\"after\":\"" + SHA2 + "\",\"commits\":[" + "{\"id\":\"x\"},".repeat(n) + "{}]}");
            how = n + " commits";
        } else {
            body = new byte[r.nextInt(300)];
            r.nextBytes(body);
            how = "random bytes";
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        boolean form = type.equals("github") && r.nextInt(6) == 0;
        if (form) {
            body = utf8("payload=" + URLEncoder.encode(new String(body, StandardCharsets.UTF_8), StandardCharsets.UTF_8)
                    + (r.nextBoolean() ? "" : "&x=%zz"));
            headers.add(Map.entry("Content-Type", "application/x-www-form-urlencoded"));
            how = how + ", form";
        } else if (r.nextBoolean()) {
            headers.add(Map.entry("Content-Type", r.nextBoolean() ? "application/json" : "text/plain"));
        }
        String signed = signature(type, body, original, r, headers);
        switch (type) {
            case "github" -> {
                headers.add(Map.entry("X-GitHub-Event", event(r, List.of("push", "ping", "PUSH", "release", "create"))));
                headers.add(Map.entry("X-GitHub-Delivery", delivery(r)));
            }
            case "gitlab" -> {
                headers.add(Map.entry("X-Gitlab-Event", event(r, List.of("Push Hook", "Tag Push Hook", "push hook", "Merge Request Hook"))));
                headers.add(Map.entry("X-Gitlab-Event-UUID", delivery(r)));
            }
            default -> {
                if (r.nextBoolean()) {
                    headers.add(Map.entry(WebhookVerifier.GENERIC_EVENT_HEADER, event(r, List.of("push", "deploy"))));
                }
            }
        }
        oddHeaders(headers, r);
        return new Request(type, List.copyOf(headers), body, type + " " + signed + ", " + how);
    }

    /** Adds the type's credential: mostly valid over the sent body, else over the original, forged or malformed. */
    private static String signature(String type, byte[] body, byte[] original, Random r, List<Map.Entry<String, String>> headers) {
        int choice = r.nextInt(10);
        switch (type) {
            case "github" -> {
                boolean legacy = r.nextInt(5) == 0;
                String algorithm = legacy ? "sha1" : "sha256";
                String header = legacy ? "X-Hub-Signature" : "X-Hub-Signature-256";
                if (choice < 6) {
                    headers.add(Map.entry(header, algorithm + "=" + hex(algorithm, TOKEN, body)));
                    return "signed";
                }
                headers.add(Map.entry(header, badSignature(algorithm, body, original, r)));
                return "badly signed";
            }
            case "generic-hmac" -> {
                String algorithm = List.of("sha1", "sha256", "sha512").get(r.nextInt(3));
                if (choice < 6) {
                    headers.add(Map.entry("X-Signature", algorithm + "=" + hex(algorithm, TOKEN, body)));
                    return "signed";
                }
                headers.add(Map.entry("X-Signature", badSignature(algorithm, body, original, r)));
                return "badly signed";
            }
            case "gitlab" -> {
                String token = choice < 6 ? TOKEN : List.of("", " " + TOKEN, TOKEN.toUpperCase(Locale.ROOT), "guess", TOKEN + "\u0000").get(r.nextInt(5));
                if (choice < 9) {
                    headers.add(Map.entry("X-Gitlab-Token", token));
                }
                return choice < 6 ? "signed" : "badly signed";
            }
            default -> {
                return "unsigned";
            }
        }
    }

    private static String badSignature(String algorithm, byte[] body, byte[] original, Random r) {
        return switch (r.nextInt(7)) {
            case 0 -> algorithm + "=" + hex(algorithm, TOKEN, original);
            case 1 -> algorithm + "=" + hex(algorithm, "guessed", body);
            case 2 -> algorithm + "=";
            case 3 -> "=" + hex(algorithm, TOKEN, body);
            case 4 -> "md5=" + hex(algorithm, TOKEN, body);
            case 5 -> algorithm.toUpperCase(Locale.ROOT) + "= " + hex(algorithm, TOKEN, body).toUpperCase(Locale.ROOT) + "zz";
            default -> STRINGS.get(r.nextInt(STRINGS.size()));
        };
    }

    private static String event(Random r, List<String> usual) {
        int choice = r.nextInt(10);
        if (choice < 7) {
            return usual.get(r.nextInt(usual.size()));
        }
        return List.of("", "   ", "x".repeat(200), "push\u0000", "Push Hook,Push Hook").get(r.nextInt(5));
    }

    private static String delivery(Random r) {
        return switch (r.nextInt(8)) {
            case 0 -> "";
            case 1 -> "   ";
            case 2 -> "d".repeat(700);
            case 3 -> "72d3162e-cc78-11e3-81ab-4c9367dc0958\u0000";
            default -> new java.util.UUID(r.nextLong(), r.nextLong()).toString();
        };
    }

    /** Header names in odd casing; some headers sent twice. */
    private static void oddHeaders(List<Map.Entry<String, String>> headers, Random r) {
        for (int i = 0; i < headers.size(); i++) {
            Map.Entry<String, String> h = headers.get(i);
            if (r.nextInt(4) == 0) {
                String name = r.nextBoolean() ? h.getKey().toLowerCase(Locale.ROOT) : h.getKey().toUpperCase(Locale.ROOT);
                headers.set(i, Map.entry(name, h.getValue()));
            }
        }
        if (!headers.isEmpty() && r.nextInt(6) == 0) {
            Map.Entry<String, String> h = headers.get(r.nextInt(headers.size()));
            headers.add(Map.entry(h.getKey().toLowerCase(Locale.ROOT), r.nextBoolean() ? h.getValue() : "other"));
        }
    }

    static String githubPush() {
        return "{\"ref\":\"refs/heads/main\",\"before\":\"" + SHA1 + "\",\"after\":\"" + SHA2 + "\",\"created\":false,"
                + "\"deleted\":false,\"forced\":false,\"base_ref\":null,\"compare\":\"https://github.com/acme/infra/compare/4e5cbb7b97d0...0f1e2d3c4b5a\","
                + "\"commits\":[{\"id\":\"" + SHA2 + "\",\"tree_id\":\"" + SHA1 + "\",\"distinct\":true,\"message\":\"deploy\","
                + "\"timestamp\":\"2026-12-06T10:00:00+01:00\",\"author\":{\"name\":\"Dev\",\"email\":\"dev@acme.io\",\"username\":\"dev\"},"
                + "\"added\":[\"apps/web.yaml\"],\"removed\":[],\"modified\":[]}],\"head_commit\":{\"id\":\"" + SHA2 + "\"},"
                + "\"repository\":{\"id\":1,\"name\":\"infra\",\"full_name\":\"acme/infra\",\"private\":true,"
                + "\"html_url\":\"https://github.com/acme/infra\",\"clone_url\":\"https://github.com/acme/infra.git\","
                + "\"ssh_url\":\"git@github.com:acme/infra.git\",\"git_url\":\"git://github.com/acme/infra.git\","
                + "\"default_branch\":\"main\"},\"pusher\":{\"name\":\"dev\",\"email\":\"dev@acme.io\"},"
                + "\"sender\":{\"login\":\"dev\",\"id\":2,\"type\":\"User\"}}";
    }

    static String gitlabPush() {
        return "{\"object_kind\":\"push\",\"event_name\":\"push\",\"before\":\"" + SHA1 + "\",\"after\":\"" + SHA2 + "\","
                + "\"ref\":\"refs/heads/main\",\"ref_protected\":true,\"checkout_sha\":\"" + SHA2 + "\",\"user_id\":4,"
                + "\"user_name\":\"Dev\",\"project_id\":15,\"project\":{\"id\":15,\"name\":\"infra\",\"web_url\":\"https://gitlab.com/acme/infra\","
                + "\"git_ssh_url\":\"git@gitlab.com:acme/infra.git\",\"git_http_url\":\"https://gitlab.com/acme/infra.git\","
                + "\"namespace\":\"acme\",\"path_with_namespace\":\"acme/infra\",\"default_branch\":\"main\"},"
                + "\"commits\":[{\"id\":\"" + SHA2 + "\",\"message\":\"deploy\",\"timestamp\":\"2026-12-06T10:00:00+01:00\","
                + "\"author\":{\"name\":\"Dev\",\"email\":\"dev@acme.io\"},\"added\":[],\"modified\":[\"apps/web.yaml\"],\"removed\":[]}],"
                + "\"total_commits_count\":1,\"repository\":{\"name\":\"infra\",\"url\":\"git@gitlab.com:acme/infra.git\","
                + "\"homepage\":\"https://gitlab.com/acme/infra\",\"git_http_url\":\"https://gitlab.com/acme/infra.git\"}}";
    }

    private static byte[] structural(byte[] body, Random r) {
        try {
            JsonNode tree = JSON.readTree(body);
            for (int i = 1 + r.nextInt(3); i > 0; i--) {
                tree = mutateNode(tree, r, 0);
            }
            return JSON.writeValueAsBytes(tree);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
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
            return switch (r.nextInt(7)) {
                case 0 -> f.nullNode();
                case 1 -> f.booleanNode(r.nextBoolean());
                case 2 -> f.numberNode(r.nextLong());
                case 3 -> f.numberNode(new BigInteger(300, r));
                default -> f.textNode(STRINGS.get(r.nextInt(STRINGS.size())));
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
        List<String> tokens = List.of("{", "}", "[", "]", "\"", ",", ":", "\\", "\\u", "\\ud800", "null", "1e99999", "-",
                "NaN", "/*", "\u0000", "\uFEFF", "\n");
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
        byte[] out = utf8(s.toString());
        if (out.length > 0 && r.nextInt(6) == 0) {
            out[r.nextInt(out.length)] = (byte) (0x80 + r.nextInt(128));
        }
        return out;
    }

    private static boolean json(byte[] body) {
        try {
            return JSON.readTree(body) instanceof ObjectNode;
        } catch (IOException e) {
            return false;
        }
    }

    static String hex(String algorithm, String key, byte[] body) {
        return HexFormat.of().formatHex(Signatures.hmac(algorithm, utf8(key), body));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…(" + s.length() + " chars)";
    }
}

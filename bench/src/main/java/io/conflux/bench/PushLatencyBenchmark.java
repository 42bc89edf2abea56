package io.conflux.bench;

import com.sun.net.httpserver.HttpServer;
import io.conflux.cli.local.Bootstrap;
import io.conflux.cli.local.FixtureRepositories;
import io.conflux.cli.local.LocalInstallation;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.Conditions;
import io.conflux.model.notification.Receiver;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The push-latency benchmark of issue #17: one Kustomization whose source is a local Git repository, on a fresh
 * local installation with the embedded defaults; then R rounds of: commit a new value of a ConfigMap, send the
 * GitHub {@code push} webhook for it (signed with {@code X-Hub-Signature-256}, as GitHub does) to the
 * {@code Receiver}'s path, and time from the start of the webhook request to the moment a watch on the cluster sees
 * the ConfigMap with the new value. Prints the run's directory (the services' log is its {@code logs/services.log}),
 * each round — with the request's start as a UTC instant and how long the receiver took to answer, so that the round
 * can be followed hop by hop through the services' log lines (wall clock, milliseconds) — and then p50, p90, p99 and
 * max in milliseconds (nearest-rank percentiles).
 *
 * <p>Usage (from the project root, through {@code bench/push-latency.sh}):
 * {@code PushLatencyBenchmark --project=. [--pushes=20] [--pause=1s] [--add-service-jvm-options="-Xlog:gc ..."]}
 * ({@code pause} between rounds, after the change was seen, and before round 1 after the bootstrap's change was seen;
 * {@code --add-service-jvm-options} are appended to
 * {@link LocalInstallation#ONE_JVM_OPTIONS}, e.g. to log the services JVM's collections while it runs).
 */
public final class PushLatencyBenchmark {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private PushLatencyBenchmark() {
    }

    /** Entry point; see the class comment for the arguments. */
    public static void main(String[] args) throws Exception {
        Map<String, String> options = BenchMain.parse(args);
        Path project = Path.of(options.getOrDefault("project", ".")).toAbsolutePath().normalize();
        int pushes = Integer.parseInt(options.getOrDefault("pushes", "20"));
        Duration pause = Duration.parse("PT" + options.getOrDefault("pause", "1s").toUpperCase());
        List<String> jvmOptions = new ArrayList<>(LocalInstallation.ONE_JVM_OPTIONS);
        if (!options.getOrDefault("add-service-jvm-options", "").isBlank()) {
            jvmOptions.addAll(List.of(options.get("add-service-jvm-options").trim().split("\\s+")));
        }
        Path work = Files.createTempDirectory("conflux-push-latency");
        Path tree = work.resolve("tree");
        writeTree(tree, "0");
        Path repo = work.resolve("git/latency");
        String sha = FixtureRepositories.create(tree, repo, "main");
        System.out.printf("run directory: %s%n", work);
        try (LocalInstallation conflux = LocalRun.start(project, work, jvmOptions, true)) {
            String token = UUID.randomUUID().toString();
            Bootstrap.githubReceiver(conflux.client(), "flux-system", "latency", token, List.of("latency"));
            Bootstrap.gitOps(conflux.client(), new Bootstrap.Source("flux-system", "latency",
                    "https://git.conflux.local/latency", "main", "./deploy", "60m"));
            awaitReady(conflux, "main@sha1:" + sha);
            String url = "http://127.0.0.1:" + conflux.service("webhook-receiver").httpPort() + webhookPath(conflux);
            Map<String, Long> seen = new ConcurrentHashMap<>();
            Watch watch = conflux.client().configMaps().inNamespace("flux-system").withName("latency")
                    .watch(new Watcher<ConfigMap>() {
                        @Override
                        public void eventReceived(Action action, ConfigMap cm) {
                            if (cm.getData() != null && cm.getData().get("round") != null) {
                                seen.putIfAbsent(cm.getData().get("round"), System.nanoTime());
                            }
                        }

                        @Override
                        public void onClose(WatcherException cause) {
                        }
                    });
            List<Long> latencies = new ArrayList<>();
            try {
                // Round 1 starts one pause after the bootstrap's change was seen, as every later round does after
                // the previous one's: not in the middle of the bootstrap's own aftermath (its events' first
                // delivery by the notifier), which no later round meets either.
                Thread.sleep(pause.toMillis());
                warmUpClient(token, sha);
                String before = sha;
                for (int round = 1; round <= pushes; round++) {
                    String value = Integer.toString(round);
                    writeTree(repo, value);
                    String after = FixtureRepositories.commitAll(repo, "round " + round);
                    String body = push(before, after);
                    Instant sentAt = Instant.now();
                    long sent = System.nanoTime();
                    HttpResponse<String> response = send(url, token, body);
                    long answered = System.nanoTime();
                    if (response.statusCode() / 100 != 2) {
                        throw new IllegalStateException("webhook answered " + response.statusCode() + ": " + response.body());
                    }
                    long deadline = sent + Duration.ofMinutes(2).toNanos();
                    while (!seen.containsKey(value) && System.nanoTime() < deadline) {
                        Thread.sleep(1);
                    }
                    Long at = seen.get(value);
                    if (at == null) {
                        throw new IllegalStateException("round " + round + ": the change was not applied within 2 minutes");
                    }
                    long ms = (at - sent) / 1_000_000;
                    latencies.add(ms);
                    System.out.printf("push %d: webhook → applied %d ms (request sent at %s, answered after %d ms)%n", round,
                            ms, sentAt, (answered - sent) / 1_000_000);
                    before = after;
                    Thread.sleep(pause.toMillis());
                }
            } finally {
                watch.close();
            }
            List<Long> sorted = latencies.stream().sorted().toList();
            System.out.printf("push → applied over %d pushes: p50 %d ms, p90 %d ms, p99 %d ms, max %d ms%n", sorted.size(),
                    rank(sorted, 0.50), rank(sorted, 0.90), rank(sorted, 0.99), sorted.get(sorted.size() - 1));
        }
    }

    /** Nearest-rank percentile of sorted samples. */
    static long rank(List<Long> sorted, double p) {
        int index = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static void writeTree(Path tree, String round) throws IOException {
        Files.createDirectories(tree.resolve("deploy"));
        Files.writeString(tree.resolve("deploy/configmap.yaml"), """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: latency
                  namespace: flux-system
                data:
                  round: "%s"
                """.formatted(round), StandardCharsets.UTF_8);
    }

    private static String push(String before, String after) {
        return """
                {"ref":"refs/heads/main","before":"%s","after":"%s","created":false,"deleted":false,
                 "repository":{"full_name":"bench/latency","clone_url":"https://git.conflux.local/latency"},
                 "head_commit":{"id":"%s","message":"bench"},"pusher":{"name":"bench"}}
                """.formatted(before, after, after);
    }

    /** The webhook request of a round, signed as GitHub signs it; the same for {@link #warmUpClient}. */
    private static HttpResponse<String> send(String url, String token, String body)
            throws IOException, InterruptedException, GeneralSecurityException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", UUID.randomUUID().toString())
                .header("X-Hub-Signature-256", "sha256=" + hmac(token, body))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Warms the measuring instrument, not Conflux: sends the webhook requests a round sends to a throwaway HTTP server
     * of this JVM (never to the installation), so that round 1 does not also time this JVM's first use of its HTTP
     * client (its selector thread, first connection, request and body classes), which a real sender such as GitHub
     * has long paid.
     */
    private static void warmUpClient(String token, String sha) throws IOException, InterruptedException,
            GeneralSecurityException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] reply = "{\"status\":\"accepted\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, reply.length);
            exchange.getResponseBody().write(reply);
            exchange.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/hook/warm-up";
            for (int i = 0; i < 20; i++) {
                send(url, token, push(sha, sha));
            }
        } finally {
            server.stop(0);
        }
    }

    private static String hmac(String key, String body) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }

    private static String webhookPath(LocalInstallation conflux) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            Receiver r = conflux.client().resources(Receiver.class).inNamespace("flux-system").withName("latency").get();
            if (r != null && r.getStatus() != null && r.getStatus().webhookPath() != null) {
                return r.getStatus().webhookPath();
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the Receiver got no status.webhookPath within 2 minutes");
    }

    private static void awaitReady(LocalInstallation conflux, String revision) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            Kustomization k = conflux.client().resources(Kustomization.class).inNamespace("flux-system")
                    .withName("latency").get();
            if (k != null && k.getStatus() != null && revision.equals(k.getStatus().lastAppliedRevision())
                    && Conditions.isReady(k.getStatus().conditions(), k.getMetadata().getGeneration())) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the Kustomization did not become Ready at " + revision + " within 5 minutes");
    }
}

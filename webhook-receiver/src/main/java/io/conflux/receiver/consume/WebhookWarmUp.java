package io.conflux.receiver.consume;

import io.conflux.model.source.GitRepository;
import io.conflux.model.topic.SourceReconcileRequest;
import io.conflux.model.topic.Topics;
import io.conflux.model.topic.Trigger;
import io.conflux.receiver.decide.ReceiverConfig;
import io.conflux.receiver.decide.Signatures;
import io.conflux.receiver.decide.WebhookVerifier;
import io.conflux.service.Outbox;
import io.conflux.service.ReactiveRunner;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.http.HttpServerStart;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Warms the webhook path once the HTTP server listens, so that the first push after a start does not also pay the
 * HTTP stack's first requests: connection, routing, the resource, the JSON reply and the code shared with the rest of
 * the push, all loaded, linked and interpreted for the first time. Measured with {@code bench/push-latency.sh}: the
 * first push took 431–475 ms, and 282–311 ms once three requests had gone before it (bench/README.md, "The first push
 * after a start").
 *
 * <p>Sends {@code conflux.receiver.warm-up-requests} requests {@code POST /hook/<64 zeros>} over loopback to the
 * server's own port, one after the other: no Receiver has that path (its digest is a SHA-256, as in Flux), so
 * {@code WebhookHandler} answers each 404 before it looks at the request, no Receiver is touched and nothing is written; the HTTP server metrics
 * leave the path out ({@code quarkus.micrometer.binder.http-server.match-patterns} renames it
 * {@code /hook/warm-up}, which {@code ignore-patterns} drops), and so do the traces: the client sends no
 * {@code traceparent} and makes no span (the JDK's {@code HttpClient}, which Quarkus does not instrument), and the server's span of the path is dropped
 * ({@code quarkus.otel.traces.suppress-application-uris}). Then, in process, it verifies one
 * GitHub {@code ping} signed with a random key ({@link WebhookVerifier}: the HMAC and the JSON check of a real push).
 *
 * <p>Before those it sends one reconcile request the way the handler sends a push's: a row in the outbox, published by the
 * relay to {@code conflux.reconcile-requests} and consumed by {@link ReconcileRequestConsumer}, for
 * {@value #RECONCILE_KEY}, a GitRepository no cluster can have (upper case is not allowed in object names), which
 * the consumer finds absent and reconciles no further. Its {@code traceparent} is not sampled, so that the consumer's
 * span of it is not recorded under the default, parent-based sampler. Without it the first push paid the record's
 * first publication and the consumer's first record (the hop from the handler to the consumer took 28–64 ms
 * against 13–15 ms with it, and 9 ms for later pushes; bench/README.md).
 *
 * <p>A failure is logged at DEBUG and changes nothing else: the first push then pays what it paid before.
 */
@ApplicationScoped
public class WebhookWarmUp {
    private static final Logger LOG = Logger.getLogger(WebhookWarmUp.class);
    /** The digest of the warm-up requests' path: 64 zeros, which no Receiver's SHA-256 digest is. */
    public static final String DIGEST = "0".repeat(64);
    private static final String BODY = "{\"zen\":\"Conflux warm-up\",\"hook_id\":0}";
    /** The GitRepository of the warm-up's reconcile request: none can exist, its name has upper case. */
    public static final String RECONCILE_KEY = GitRepository.KIND + "/conflux-warm-up/WARM-UP";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Inject
    ReceiverConfig config;
    @Inject
    ReactiveRunner runner;
    @Inject
    Outbox outbox;

    void onHttpServerStart(@ObservesAsync HttpServerStart start) {
        int port = start.options().getPort();
        if (config.warmUpRequests() <= 0 || port <= 0) {
            return;
        }
        String host = start.options().getHost();
        // the request first: it does not wait for the HTTP requests, one of which was once seen not answered
        requestReconcile();
        warmUp(host == null || host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host, port);
    }

    /**
     * Adds the warm-up's reconcile request of {@value #RECONCILE_KEY} to the outbox, with a trace parent that is not
     * sampled; blocking (at most 5 s), never throws.
     *
     * @return whether the request was added
     */
    public boolean requestReconcile() {
        byte[] traceId = new byte[16];
        byte[] spanId = new byte[8];
        SecureRandom random = new SecureRandom();
        random.nextBytes(traceId);
        random.nextBytes(spanId);
        // version 00, flags 00: not sampled
        String traceparent = "00-" + HexFormat.of().formatHex(traceId) + "-" + HexFormat.of().formatHex(spanId) + "-00";
        SourceReconcileRequest request = new SourceReconcileRequest(RECONCILE_KEY, Trigger.POLL, null,
                Instant.now().toString());
        try {
            runner.run(blocking -> Panache.withTransaction(() -> outbox.add(Topics.RECONCILE_REQUESTS, RECONCILE_KEY,
                    request, traceparent))).await().atMost(TIMEOUT);
            return true;
        } catch (RuntimeException e) {
            LOG.debugf("warm-up reconcile request not sent: %s", e.toString());
            return false;
        }
    }

    /**
     * Sends the warm-up requests to {@code host:port} and verifies a signed ping; blocking (at most 5 s a request),
     * never throws.
     *
     * @param host the receiver's HTTP host, as a client reaches it
     * @param port its HTTP port
     * @return the HTTP statuses answered, in order (404 each when the path is free); fewer when a request failed
     */
    public List<Integer> warmUp(String host, int port) {
        List<Integer> statuses = new java.util.ArrayList<>();
        // the JDK's client: Quarkus does not instrument it (no traceparent, no client span); the Vert.x client, used
        // before, once left a 404's body unread and the warm-up waiting (in a CI run and in a bench run)
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(TIMEOUT).build();
        try {
            URI hook = new URI("http", null, host, port, "/hook/" + DIGEST, null, null);
            for (int i = 0; i < config.warmUpRequests(); i++) {
                HttpRequest request = HttpRequest.newBuilder(hook).timeout(TIMEOUT)
                        .header("Content-Type", "application/json")
                        .header("X-GitHub-Event", "ping")
                        .POST(HttpRequest.BodyPublishers.ofString(BODY)).build();
                statuses.add(client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode());
            }
            verifySignedPing();
            LOG.debugf("webhook path warmed: %s", statuses);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | URISyntaxException | RuntimeException e) {
            LOG.debugf("webhook warm-up stopped after %d request(s): %s", statuses.size(), e.toString());
        }
        return statuses;
    }

    /** Verifies a GitHub ping signed with a random key, as a real push is verified. */
    private static void verifySignedPing() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String token = HexFormat.of().formatHex(key);
        byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
        String signature = HexFormat.of().formatHex(Signatures.hmac("sha256", token.getBytes(StandardCharsets.UTF_8), body));
        Map<String, String> headers = Map.of("x-hub-signature-256", "sha256=" + signature,
                "x-github-event", "ping", "content-type", "application/json");
        WebhookVerifier.verify("github", token, List.of(), name -> headers.get(name.toLowerCase(java.util.Locale.ROOT)), body);
    }
}

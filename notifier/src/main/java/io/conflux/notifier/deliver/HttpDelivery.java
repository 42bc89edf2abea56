package io.conflux.notifier.deliver;

import io.smallrye.mutiny.Uni;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jboss.logging.Logger;

/**
 * Sends {@link OutgoingRequest}s with the JDK's {@link HttpClient}, retrying transport errors, {@code 429} and
 * {@code 5xx} by a {@link RetryPolicy} and honouring {@code Retry-After} (seconds or an HTTP date). Clients are
 * kept per proxy and CA bundle. The outcome never fails: a call that cannot be delivered yields an undelivered
 * {@link DeliveryOutcome} with the last error, the Provider's token masked as Flux does ({@code *****}).
 */
public final class HttpDelivery {
    private static final Logger LOG = Logger.getLogger(HttpDelivery.class);
    private static final int MAX_ERROR_BODY = 512;

    private final RetryPolicy retry;
    private final Duration connectTimeout;
    private final Map<ClientKey, HttpClient> clients = new ConcurrentHashMap<>();

    /**
     * @param retry          how failed calls are retried
     * @param connectTimeout limit for opening a connection (each call is further limited by the Provider timeout)
     */
    public HttpDelivery(RetryPolicy retry, Duration connectTimeout) {
        this.retry = retry;
        this.connectTimeout = connectTimeout;
    }

    /**
     * @param endpoint the Provider (proxy, CA, timeout, token to mask)
     * @param request  what to send
     * @return a Uni of the outcome after the last call; it completes on an HTTP client or timer thread
     */
    public Uni<DeliveryOutcome> send(ProviderEndpoint endpoint, OutgoingRequest request) {
        HttpClient client;
        HttpRequest httpRequest;
        try {
            client = client(endpoint);
            HttpRequest.Builder builder = HttpRequest.newBuilder(request.uri())
                    .timeout(endpoint.timeout())
                    .method(request.method(), HttpRequest.BodyPublishers.ofByteArray(request.body()));
            if (!request.headers().containsKey("Content-Type")) {
                builder.header("Content-Type", "application/json");
            }
            request.headers().forEach(builder::header);
            httpRequest = builder.build();
        } catch (IllegalArgumentException e) {
            // A bad proxy URL or CA, or a header the JDK refuses to set (e.g. Host): no call is possible. The JDK's
            // message for a bad header value repeats the value, which comes from the Provider's Secret: not shown.
            String problem = e.getMessage() != null && e.getMessage().startsWith("invalid header value")
                    ? "invalid header value (from the Provider's headers Secret; not shown)" : e.getMessage();
            return Uni.createFrom().item(new DeliveryOutcome(false, 1, null, mask(problem, endpoint), false));
        }
        return attempt(client, endpoint, httpRequest, 1);
    }

    private Uni<DeliveryOutcome> attempt(HttpClient client, ProviderEndpoint endpoint, HttpRequest request,
                                         int attempt) {
        return Uni.createFrom().completionStage(() -> client.sendAsync(request, HttpResponse.BodyHandlers.ofString()))
                .onItemOrFailure().transformToUni((response, failure) -> {
                    Result result = failure != null ? Result.of(unwrap(failure)) : Result.of(response);
                    if (result.success()) {
                        return Uni.createFrom().item(new DeliveryOutcome(true, attempt, result.status(), null, false));
                    }
                    String error = mask(result.error(), endpoint);
                    if (!result.retryable() || attempt >= retry.maxAttempts()) {
                        return Uni.createFrom().item(new DeliveryOutcome(false, attempt, result.status(), error, result.retryable()));
                    }
                    Duration delay = retry.delayAfter(attempt, result.retryAfter());
                    LOG.debugf("%s: attempt %d to %s failed (%s), retrying in %s", endpoint.key(), attempt,
                            request.uri().getHost(), error, delay);
                    return Uni.createFrom().voidItem().onItem().delayIt().by(delay)
                            .onItem().transformToUni(v -> attempt(client, endpoint, request, attempt + 1));
                });
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    private static String mask(String text, ProviderEndpoint endpoint) {
        if (text == null || endpoint.token() == null || endpoint.token().isEmpty()) {
            return text;
        }
        return text.replace(endpoint.token(), "*****");
    }

    private HttpClient client(ProviderEndpoint endpoint) {
        return clients.computeIfAbsent(new ClientKey(endpoint.proxy(), endpoint.caPem()), key -> {
            HttpClient.Builder builder = HttpClient.newBuilder()
                    .connectTimeout(connectTimeout)
                    .followRedirects(HttpClient.Redirect.NORMAL);
            if (key.proxy() != null && !key.proxy().isBlank()) {
                URI proxy;
                try {
                    proxy = new URI(key.proxy().trim());
                } catch (java.net.URISyntaxException e) {
                    throw new IllegalArgumentException("invalid proxy URL " + SafeText.url(key.proxy()) + ": "
                            + SafeText.reason(e));
                }
                if (proxy.getHost() == null) {
                    throw new IllegalArgumentException("invalid proxy URL " + SafeText.url(key.proxy()));
                }
                int port = proxy.getPort() > 0 ? proxy.getPort() : ("https".equals(proxy.getScheme()) ? 443 : 80);
                builder.proxy(ProxySelector.of(new InetSocketAddress(proxy.getHost(), port)));
            }
            if (key.caPem() != null) {
                builder.sslContext(sslContext(key.caPem()));
            }
            return builder.build();
        });
    }

    /**
     * @param caPem one or more PEM certificates
     * @return a TLS context trusting exactly those certificates
     * @throws IllegalArgumentException when the PEM cannot be read
     */
    static SSLContext sslContext(String caPem) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate cert : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(caPem.getBytes(StandardCharsets.UTF_8)))) {
                store.setCertificateEntry("ca-" + i++, cert);
            }
            if (i == 0) {
                throw new IllegalArgumentException("no certificate in certSecretRef");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("invalid CA certificate in certSecretRef: " + e.getMessage(), e);
        }
    }

    /**
     * @param value a {@code Retry-After} header: delay in seconds or an HTTP date (RFC 1123)
     * @return the wait it asks for (zero for a date in the past), or null when the value is neither
     */
    static Duration retryAfter(String value) {
        String v = value.trim();
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(v)));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration d = Duration.between(java.time.Instant.now(),
                        ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }

    private record ClientKey(String proxy, String caPem) {
    }

    /** The verdict on one call. */
    private record Result(boolean success, boolean retryable, Integer status, String error, Duration retryAfter) {
        static Result of(HttpResponse<String> response) {
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                return new Result(true, false, status, null, null);
            }
            String body = Objects.requireNonNullElse(response.body(), "");
            if (body.length() > MAX_ERROR_BODY) {
                body = body.substring(0, MAX_ERROR_BODY) + "...";
            }
            boolean retryable = status == 429 || status >= 500;
            Duration retryAfter = response.headers().firstValue("Retry-After").map(HttpDelivery::retryAfter).orElse(null);
            return new Result(false, retryable, status, "HTTP " + status + ": " + body.strip(), retryAfter);
        }

        static Result of(Throwable failure) {
            // Transport errors (refused, reset, timed out) are worth another try; anything else is a bug or bad config.
            boolean retryable = failure instanceof IOException;
            String text = failure.getClass().getSimpleName() + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
            return new Result(false, retryable, null, text, null);
        }
    }
}

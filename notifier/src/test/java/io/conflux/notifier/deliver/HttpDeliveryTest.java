package io.conflux.notifier.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpDeliveryTest {
    private static final RetryPolicy FAST = new RetryPolicy(4, Duration.ofMillis(5), Duration.ofMillis(20));

    private static ProviderEndpoint endpoint(String address, String token) {
        return new ProviderEndpoint("ns/p", null, "generic", address, token, null, null, null, Map.of(), null,
                Duration.ofSeconds(5), null);
    }

    private static OutgoingRequest post(String url) {
        return new OutgoingRequest("POST", URI.create(url), Map.of("X-Test", "1"), "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void serviceUnavailableTwiceThenOkIsDeliveredOnceOnTheThirdCall() {
        try (HttpSink sink = HttpSink.start().then(HttpSink.Response.of(503), HttpSink.Response.of(503))) {
            DeliveryOutcome outcome = new HttpDelivery(FAST, Duration.ofSeconds(2))
                    .send(endpoint(sink.url("/hook"), null), post(sink.url("/hook"))).await().indefinitely();

            assertThat(outcome.delivered()).isTrue();
            assertThat(outcome.attempts()).isEqualTo(3);
            assertThat(outcome.statusCode()).isEqualTo(200);
            assertThat(sink.requests()).hasSize(3).allSatisfy(r -> {
                assertThat(r.body()).isEqualTo("{\"a\":1}");
                assertThat(r.header("X-Test")).isEqualTo("1");
                assertThat(r.header("Content-Type")).isEqualTo("application/json");
            });
        }
    }

    @Test
    void failingForTheWholeBudgetReportsTheLastErrorWithTheTokenMasked() {
        try (HttpSink sink = HttpSink.start().otherwise(new HttpSink.Response(500, Map.of(), "bad token s3cr3t"))) {
            DeliveryOutcome outcome = new HttpDelivery(FAST, Duration.ofSeconds(2))
                    .send(endpoint(sink.url("/"), "s3cr3t"), post(sink.url("/"))).await().indefinitely();

            assertThat(outcome.delivered()).isFalse();
            assertThat(outcome.attempts()).isEqualTo(4);
            assertThat(sink.requests()).hasSize(4);
            assertThat(outcome.statusCode()).isEqualTo(500);
            assertThat(outcome.error()).contains("HTTP 500").contains("*****").doesNotContain("s3cr3t");
        }
    }

    @Test
    void aClientErrorIsNotRetried() {
        try (HttpSink sink = HttpSink.start().otherwise(HttpSink.Response.of(404))) {
            DeliveryOutcome outcome = new HttpDelivery(FAST, Duration.ofSeconds(2))
                    .send(endpoint(sink.url("/"), null), post(sink.url("/"))).await().indefinitely();

            assertThat(outcome.delivered()).isFalse();
            assertThat(outcome.attempts()).isEqualTo(1);
            assertThat(sink.requests()).hasSize(1);
        }
    }

    @Test
    void tooManyRequestsIsRetried() {
        try (HttpSink sink = HttpSink.start().then(new HttpSink.Response(429, Map.of("Retry-After", "0"), ""))) {
            DeliveryOutcome outcome = new HttpDelivery(FAST, Duration.ofSeconds(2))
                    .send(endpoint(sink.url("/"), null), post(sink.url("/"))).await().indefinitely();

            assertThat(outcome.delivered()).isTrue();
            assertThat(outcome.attempts()).isEqualTo(2);
        }
    }

    @Test
    void aSinkThatIsDownIsRetriedAsATransportError() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port + "/";
        DeliveryOutcome outcome = new HttpDelivery(FAST, Duration.ofSeconds(2)).send(endpoint(url, null), post(url))
                .await().indefinitely();

        assertThat(outcome.delivered()).isFalse();
        assertThat(outcome.attempts()).isEqualTo(4);
        assertThat(outcome.statusCode()).isNull();
        assertThat(outcome.error()).contains("ConnectException");
    }

    @Test
    void backoffDoublesUpToTheCapAndRetryAfterWinsWhenLonger() {
        RetryPolicy policy = new RetryPolicy(10, Duration.ofSeconds(1), Duration.ofSeconds(30));
        assertThat(policy.delayAfter(1, null)).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.delayAfter(2, null)).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.delayAfter(4, null)).isEqualTo(Duration.ofSeconds(8));
        assertThat(policy.delayAfter(9, null)).isEqualTo(Duration.ofSeconds(30));
        assertThat(policy.delayAfter(1, Duration.ofSeconds(7))).isEqualTo(Duration.ofSeconds(7));
        assertThat(policy.delayAfter(4, Duration.ofSeconds(3))).isEqualTo(Duration.ofSeconds(8));
        assertThat(policy.delayAfter(1, Duration.ofMinutes(10))).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void rateLimiterSpacesCallsPerProvider() {
        ProviderRateLimiter limiter = new ProviderRateLimiter(Duration.ofSeconds(10));
        assertThat(limiter.reserve("a")).isZero();
        assertThat(limiter.reserve("b")).isZero();
        assertThat(limiter.reserve("a")).isGreaterThan(Duration.ofSeconds(9)).isLessThanOrEqualTo(Duration.ofSeconds(10));
        assertThat(limiter.reserve("a")).isGreaterThan(Duration.ofSeconds(19));
        assertThat(new ProviderRateLimiter(Duration.ZERO).reserve("a")).isZero();
    }

    @Test
    void retryAfterIsReadAsSecondsOrAnHttpDate() {
        assertThat(HttpDelivery.retryAfter("120")).isEqualTo(Duration.ofSeconds(120));
        assertThat(HttpDelivery.retryAfter(" 0 ")).isZero();
        String inTenMinutes = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME
                .format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusMinutes(10));
        assertThat(HttpDelivery.retryAfter(inTenMinutes)).isGreaterThan(Duration.ofMinutes(8)).isLessThanOrEqualTo(Duration.ofMinutes(10));
        assertThat(HttpDelivery.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isZero();
        assertThat(HttpDelivery.retryAfter("soon")).isNull();
    }

    @Test
    void aCallLongerThanTheProviderTimeoutIsATransportErrorAndRetried() {
        try (HttpSink sink = HttpSink.start()) {
            sink.hold();
            ProviderEndpoint slow = new ProviderEndpoint("ns/p", null, "generic", sink.url("/"), null, null, null, null,
                    Map.of(), null, Duration.ofMillis(200), null);
            DeliveryOutcome outcome = new HttpDelivery(new RetryPolicy(2, Duration.ofMillis(5), Duration.ofMillis(5)),
                    Duration.ofSeconds(2)).send(slow, post(sink.url("/"))).await().indefinitely();

            assertThat(outcome.delivered()).isFalse();
            assertThat(outcome.attempts()).isEqualTo(2);
            assertThat(outcome.error()).contains("HttpTimeoutException");
        }
    }
}

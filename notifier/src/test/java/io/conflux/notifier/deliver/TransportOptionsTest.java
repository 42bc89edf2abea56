package io.conflux.notifier.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code spec.proxy} and {@code spec.certSecretRef} as the HTTP sender applies them. */
class TransportOptionsTest {
    private static final RetryPolicy ONCE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO);

    private static ProviderEndpoint endpoint(String address, String proxy, String caPem) {
        return new ProviderEndpoint("ns/p", null, "generic", address, null, null, null, null, Map.of(), proxy,
                Duration.ofSeconds(5), caPem);
    }

    @Test
    void requestsGoThroughTheProxy() {
        try (HttpSink proxy = HttpSink.start()) {
            String target = "http://hooks.example.invalid/services/x";
            DeliveryOutcome outcome = new HttpDelivery(ONCE, Duration.ofSeconds(2))
                    .send(endpoint(target, proxy.url(""), null),
                            new OutgoingRequest("POST", URI.create(target), Map.of(), "{}".getBytes(StandardCharsets.UTF_8)))
                    .await().indefinitely();

            assertThat(outcome.delivered()).isTrue();
            assertThat(proxy.requests()).hasSize(1);
            assertThat(proxy.requests().get(0).path()).as("absolute-form request line, as to a proxy").isEqualTo(target);
            assertThat(proxy.requests().get(0).header("Host")).isEqualTo("hooks.example.invalid");
        }
    }

    @Test
    void theCertSecretCaIsTrustedAndNothingElse(@TempDir Path dir) throws Exception {
        Path keystore = dir.resolve("sink.p12");
        keytool(dir, "-genkeypair", "-alias", "sink", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-keystore", keystore.toString(),
                "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit");
        String caPem = keytool(dir, "-exportcert", "-rfc", "-alias", "sink", "-keystore", keystore.toString(),
                "-storepass", "changeit");

        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        try {
            String url = "https://127.0.0.1:" + server.getAddress().getPort() + "/hook";
            OutgoingRequest request = new OutgoingRequest("POST", URI.create(url), Map.of(), "{}".getBytes(StandardCharsets.UTF_8));

            DeliveryOutcome trusted = new HttpDelivery(ONCE, Duration.ofSeconds(2)).send(endpoint(url, null, caPem), request)
                    .await().indefinitely();
            DeliveryOutcome untrusted = new HttpDelivery(ONCE, Duration.ofSeconds(2)).send(endpoint(url, null, null), request)
                    .await().indefinitely();

            assertThat(trusted.delivered()).as("with the CA: %s", trusted.error()).isTrue();
            assertThat(trusted.statusCode()).isEqualTo(204);
            assertThat(untrusted.delivered()).isFalse();
            assertThat(untrusted.error()).containsIgnoringCase("SSL");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void anInvalidCaIsReportedWithoutACall() {
        DeliveryOutcome outcome = new HttpDelivery(ONCE, Duration.ofSeconds(2))
                .send(endpoint("https://127.0.0.1:1/", null, "not a certificate"),
                        new OutgoingRequest("POST", URI.create("https://127.0.0.1:1/"), Map.of(), new byte[0]))
                .await().indefinitely();
        assertThat(outcome.delivered()).isFalse();
        assertThat(outcome.error()).contains("certSecretRef");
    }

    private static String keytool(Path dir, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}

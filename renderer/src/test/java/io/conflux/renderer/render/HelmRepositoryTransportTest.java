package io.conflux.renderer.render;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.helm.testing.LocalChartRepository;
import io.conflux.helm.testing.LocalOciRegistry;
import io.conflux.model.helm.HelmRelease;
import io.conflux.model.meta.FluxReasons;
import io.conflux.model.meta.LocalObjectReference;
import io.conflux.model.source.HelmRepository;
import io.conflux.model.source.HelmRepositorySpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A HelmRepository's {@code certSecretRef}, {@code passCredentials} and {@code insecure} against real servers: the
 * local Helm repository over HTTPS with a self-signed certificate generated here (its own CA, {@code ca.crt}) and a
 * required client certificate ({@code tls.crt}/{@code tls.key}); an index whose chart URL is on another host; the local
 * OCI registry, which speaks plain HTTP.
 */
class HelmRepositoryTransportTest {
    private static final char[] PASSWORD = "changeit".toCharArray();
    @TempDir
    static Path keys;
    @TempDir
    Path tmp;
    static SSLContext server;
    static Map<String, String> tlsSecret;

    @BeforeAll
    static void certificates() throws Exception {
        keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-ext", "bc:c", "-storetype", "PKCS12",
                "-keystore", "server.p12", "-storepass", "changeit");
        keytool("-genkeypair", "-alias", "client", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=flux", "-storetype", "PKCS12", "-keystore", "client.p12", "-storepass", "changeit");
        KeyStore serverStore = load("server.p12");
        KeyStore clientStore = load("client.p12");
        KeyStore trustClients = KeyStore.getInstance("PKCS12");
        trustClients.load(null, null);
        trustClients.setCertificateEntry("client", clientStore.getCertificate("client"));
        KeyManagerFactory km = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        km.init(serverStore, PASSWORD);
        TrustManagerFactory tm = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tm.init(trustClients);
        server = SSLContext.getInstance("TLS");
        server.init(km.getKeyManagers(), tm.getTrustManagers(), null);
        tlsSecret = Map.of("ca.crt", pem("CERTIFICATE", serverStore.getCertificate("server").getEncoded()),
                "tls.crt", pem("CERTIFICATE", clientStore.getCertificate("client").getEncoded()),
                "tls.key", pem("PRIVATE KEY", clientStore.getKey("client", PASSWORD).getEncoded()));
    }

    @Test
    void httpsRepositoryIsReadWithTheCaAndClientCertificateOfCertSecretRef() throws Exception {
        try (LocalChartRepository repo = LocalChartRepository.builder().chart(chart()).tls(server, true).start()) {
            assertThat(repo.url()).startsWith("https://127.0.0.1:");
            Map<String, Map<String, String>> secrets = Map.of("flux-system/tls", tlsSecret,
                    "flux-system/ca-only", Map.of("ca.crt", tlsSecret.get("ca.crt")));

            HelmReleaseRenderer.Rendered trusted = render(spec(repo.url(), null, "tls", null, null), secrets);
            assertThat(trusted.outcome().message()).isNull();
            assertThat(trusted.revision()).isEqualTo("1.0.0");

            HelmReleaseRenderer.Rendered jvmTrust = render(spec(repo.url(), null, null, null, null), secrets);
            assertThat(jvmTrust.outcome().reason()).isEqualTo(FluxReasons.ARTIFACT_FAILED);
            HelmReleaseRenderer.Rendered noClientCertificate = render(spec(repo.url(), null, "ca-only", null, null), secrets);
            assertThat(noClientCertificate.outcome().reason()).isEqualTo(FluxReasons.ARTIFACT_FAILED);
            HelmReleaseRenderer.Rendered missing = render(spec(repo.url(), null, "gone", null, null), secrets);
            assertThat(missing.outcome().message())
                    .contains("Secret 'flux-system/gone' (spec.certSecretRef) of HelmRepository 'charts' not found");
        }
    }

    @Test
    void credentialsGoToAChartUrlOnAnotherHostOnlyWithPassCredentials() throws Exception {
        try (LocalChartRepository charts = LocalChartRepository.builder().chart(chart()).basicAuth("flux", "s3cret").start()) {
            // the index is served from 127.0.0.1, its chart URL names localhost: another host for Helm
            String port = charts.url().substring(charts.url().lastIndexOf(':') + 1);
            String index = charts.indexYaml().replace("- app-1.0.0.tgz", "- http://localhost:" + port + "/app-1.0.0.tgz");
            assertThat(index).contains("http://localhost:" + port + "/app-1.0.0.tgz");
            try (LocalChartRepository indexOnly = LocalChartRepository.builder().index(index).basicAuth("flux", "s3cret")
                    .start()) {
                Map<String, Map<String, String>> secrets = Map.of("flux-system/auth",
                        Map.of("username", "flux", "password", "s3cret"));
                HelmReleaseRenderer.Rendered kept = render(spec(indexOnly.url(), "auth", null, null, null), secrets);
                assertThat(kept.outcome().reason()).isEqualTo(FluxReasons.ARTIFACT_FAILED);
                assertThat(kept.outcome().message()).contains("401");
                HelmReleaseRenderer.Rendered passed = render(spec(indexOnly.url(), "auth", null, null, true), secrets);
                assertThat(passed.outcome().message()).isNull();
                assertThat(passed.revision()).isEqualTo("1.0.0");
            }
        }
    }

    @Test
    void insecureTalksPlainHttpToAnOciRegistry() throws Exception {
        try (LocalOciRegistry registry = LocalOciRegistry.start(chart())) {
            HelmReleaseRenderer.Rendered plain = render(spec(registry.url(), null, null, true, null), Map.of());
            assertThat(plain.outcome().message()).isNull();
            assertThat(plain.revision()).isEqualTo("1.0.0");
            HelmReleaseRenderer.Rendered https = render(spec(registry.url(), null, null, null, null), Map.of());
            assertThat(https.outcome().reason()).isEqualTo(FluxReasons.ARTIFACT_FAILED);
        }
    }

    private static HelmRepositorySpec spec(String url, String secret, String certSecret, Boolean insecure,
                                           Boolean passCredentials) {
        return new HelmRepositorySpec(url, url.startsWith("oci://") ? "oci" : null, "1h",
                secret == null ? null : new LocalObjectReference(secret), null, "10s",
                certSecret == null ? null : new LocalObjectReference(certSecret), insecure, passCredentials);
    }

    private HelmReleaseRenderer.Rendered render(HelmRepositorySpec spec, Map<String, Map<String, String>> secrets) {
        HelmRepository repository = new HelmRepository();
        repository.setMetadata(new ObjectMetaBuilder().withNamespace("flux-system").withName("charts").build());
        repository.setSpec(spec);
        HelmRelease hr = Serialization.unmarshal("""
                apiVersion: helm.toolkit.fluxcd.io/v2
                kind: HelmRelease
                metadata: {name: app, namespace: flux-system}
                spec:
                  interval: 10m
                  chart:
                    spec:
                      chart: app
                      sourceRef: {kind: HelmRepository, name: charts}
                """, HelmRelease.class);
        return new HelmReleaseRenderer(tmp.resolve("charts-" + System.nanoTime()), Duration.ofSeconds(10), new ObjectMapper())
                .render(hr, new HelmReleaseRenderer.ChartSources((ns, n) -> Optional.of(repository),
                        (s, r) -> Optional.empty()), (ns, n) -> secrets.get(ns + "/" + n), (ns, n) -> null);
    }

    private Path chart() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("app/templates"));
        Files.writeString(dir.resolve("cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\n");
        Files.writeString(dir.getParent().resolve("Chart.yaml"), "apiVersion: v2\nname: app\nversion: 1.0.0\n");
        return dir.getParent();
    }

    private static KeyStore load(String file) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keys.resolve(file))) {
            store.load(in, PASSWORD);
        }
        return store;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(keys.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }
}

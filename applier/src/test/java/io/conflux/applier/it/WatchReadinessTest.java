package io.conflux.applier.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** The applier's informers report to the readiness check {@code conflux-watches} (issue #13, no silent stall). */
@QuarkusTest
@QuarkusTestResource(ApplierServices.class)
class WatchReadinessTest {
    private static final String HELM_RELEASE_WATCH = "HelmRelease (helm.toolkit.fluxcd.io/v2)";

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Test
    void readinessListsTheKustomizationAndHelmReleaseWatches() throws Exception {
        Await.until(Duration.ofSeconds(60), () -> body().contains("\"conflux-watches\""));
        String body = body();
        assertThat(body).contains("\"conflux-watches\"").containsPattern("\"watches\"\\s*:\\s*2");
    }

    /**
     * A toolkit CRD deleted (as a bundle or an operator may do) ends the applier's watch of it: the API server closes
     * the watch and answers 404, and the service is not ready, naming the watch, until the CRD is applied again.
     */
    @Test
    void aDeletedToolkitCrdMakesTheServiceNotReadyNamingTheWatchUntilItIsBack() throws Exception {
        Await.until(Duration.ofSeconds(60), () -> status() == 200);
        var crds = ApplierServices.kube.client().apiextensions().v1().customResourceDefinitions();
        String crd = Files.readString(Path.of("..", "deploy", "crds", "helmreleases.yaml"));
        crds.withName("helmreleases.helm.toolkit.fluxcd.io").delete();
        try {
            Await.until(Duration.ofSeconds(60), () -> status() == 503 && body().contains(HELM_RELEASE_WATCH));
            assertThat(body()).contains("\"DOWN\"")
                    .containsPattern(java.util.regex.Pattern.quote(HELM_RELEASE_WATCH) + "\"\\s*:\\s*\"404 ");
        } finally {
            ApplierServices.kube.client().resource(crd).serverSideApply();
        }
        Await.until(Duration.ofSeconds(60), () -> status() == 200);
        assertThat(body()).doesNotContain(HELM_RELEASE_WATCH + "\"");
    }

    private int status() {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                    + "/q/health/ready")).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private String body() {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                    + "/q/health/ready")).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (java.io.IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}

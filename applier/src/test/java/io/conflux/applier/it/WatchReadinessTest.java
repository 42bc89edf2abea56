package io.conflux.applier.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** The applier's informers report to the readiness check {@code conflux-watches} (issue #13, no silent stall). */
@QuarkusTest
@QuarkusTestResource(ApplierServices.class)
class WatchReadinessTest {
    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Test
    void readinessListsTheKustomizationAndHelmReleaseWatches() throws Exception {
        Await.until(Duration.ofSeconds(60), () -> body().contains("\"conflux-watches\""));
        String body = body();
        assertThat(body).contains("\"conflux-watches\"").containsPattern("\"watches\"\\s*:\\s*2");
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

package io.conflux.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.VersionInfo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** {@code GET /version} of the embedded API server answers as kube-apiserver's, and fabric8 reads it. */
class ServerVersionTest {

    @Test
    void versionIsServedInKubeApiserversShapeAndReadByFabric8() throws Exception {
        try (InMemoryKubernetes kube = InMemoryKubernetes.start()) {
            VersionInfo version = kube.client().getKubernetesVersion();
            assertThat(version.getMajor()).isEqualTo("1");
            assertThat(version.getMinor()).isEqualTo("35");
            assertThat(version.getGitVersion()).isEqualTo("v1.35.0");
            assertThat(version.getPlatform()).isEqualTo("linux/amd64");

            HttpResponse<String> raw = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(kube.url() + "/version")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(raw.statusCode()).isEqualTo(200);
            assertThat(raw.headers().firstValue("Content-Type")).hasValue("application/json");
            JsonNode body = Json.MAPPER.readTree(raw.body());
            assertThat(body.fieldNames()).toIterable().contains("major", "minor", "gitVersion", "gitCommit",
                    "gitTreeState", "buildDate", "goVersion", "compiler", "platform");
        }
    }
}

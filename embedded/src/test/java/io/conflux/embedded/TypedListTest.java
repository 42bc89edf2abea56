package io.conflux.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A list is answered as a real API server answers it: {@code kind: <Kind>List} (a Go client's typed list, such as the
 * helm CLI's {@code SecretList}, decodes nothing else), with every item and the list's resourceVersion intact.
 */
class TypedListTest {
    static InMemoryKubernetes kube;
    static KubernetesClient client;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() {
        kube = InMemoryKubernetes.start();
        client = kube.client();
        client.resource(new NamespaceBuilder().withNewMetadata().withName("lists").endMetadata().build()).create();
    }

    @AfterAll
    static void stop() {
        kube.close();
    }

    @Test
    void aListOfConfigMapsIsAConfigMapListWithEveryItem() throws Exception {
        for (int i = 0; i < 3; i++) {
            client.resource(new ConfigMapBuilder().withNewMetadata().withNamespace("lists").withName("cm-" + i)
                .addToLabels("app", i == 0 ? "one" : "other").endMetadata().addToData("i", "" + i).build()).create();
        }

        JsonNode list = get("/api/v1/namespaces/lists/configmaps");
        assertThat(list.path("kind").asText()).isEqualTo("ConfigMapList");
        assertThat(list.path("apiVersion").asText()).isEqualTo("v1");
        assertThat(names(list)).containsExactlyInAnyOrder("cm-0", "cm-1", "cm-2");
        assertThat(list.path("items").get(0).path("data").path("i").asText()).isNotEmpty();
        assertThat(list.path("metadata").path("resourceVersion").asText()).isNotEmpty();

        JsonNode selected = get("/api/v1/namespaces/lists/configmaps?labelSelector=app%3Done");
        assertThat(selected.path("kind").asText()).isEqualTo("ConfigMapList");
        assertThat(names(selected)).containsExactly("cm-0");
    }

    @Test
    void anEmptyListAndAListOfAnotherGroupAreTypedToo() throws Exception {
        JsonNode empty = get("/api/v1/namespaces/nothing-here/secrets");
        assertThat(empty.path("kind").asText()).isEqualTo("SecretList");
        assertThat(empty.path("items").isArray()).isTrue();
        assertThat(empty.path("items")).isEmpty();

        client.resource(new DeploymentBuilder().withNewMetadata().withNamespace("lists").withName("web").endMetadata()
            .withNewSpec().withNewSelector().addToMatchLabels("app", "web").endSelector().withNewTemplate()
            .withNewMetadata().addToLabels("app", "web").endMetadata().withNewSpec().addNewContainer().withName("web")
            .withImage("nginx").endContainer().endSpec().endTemplate().endSpec().build()).create();
        JsonNode deployments = get("/apis/apps/v1/namespaces/lists/deployments");
        assertThat(deployments.path("kind").asText()).isEqualTo("DeploymentList");
        assertThat(names(deployments)).containsExactly("web");
    }

    private static JsonNode get(String path) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(kube.url() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static List<String> names(JsonNode list) {
        List<String> names = new ArrayList<>();
        list.path("items").forEach(item -> names.add(item.path("metadata").path("name").asText()));
        return names;
    }
}

package io.conflux.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.Attribute;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The indexed store ({@link IndexedCrudDispatcher}) answers exactly as fabric8's mock store it replaces: one seeded
 * sequence of creates, gets, lists with label and field selectors, merge patches, applies, updates with stale
 * resourceVersions, deletes with and without finalizers, collection deletes and a namespace's deletion goes to a
 * server on each store, and every answer (status code, and body but for uid and timestamps) must be the same —
 * lists in the same order; and watches with label and field selectors opened on both stores replay the same objects
 * in the same order.
 */
class IndexedStoreTest {

    private static final List<String> NAMESPACES = List.of("default", "team-a", "team-b");
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void answersEveryRequestAsFabric8sStore() throws Exception {
        try (InMemoryKubernetes indexed = InMemoryKubernetes.start(InMemoryKubernetes.Store.INDEXED);
             InMemoryKubernetes fabric8 = InMemoryKubernetes.start(InMemoryKubernetes.Store.FABRIC8_MOCK)) {
            for (InMemoryKubernetes kube : List.of(indexed, fabric8)) {
                kube.installCrds(Path.of("..", "deploy", "crds"));
            }
            Random random = new Random(17);
            List<String[]> requests = new ArrayList<>();
            for (String ns : NAMESPACES.subList(1, NAMESPACES.size())) {
                requests.add(new String[] {"POST", "/api/v1/namespaces", "application/json",
                    "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + ns + "\"}}"});
            }
            for (int i = 0; i < 300; i++) {
                requests.add(randomRequest(random, i));
            }
            requests.add(new String[] {"DELETE", "/api/v1/namespaces/team-b", null, null});
            requests.add(new String[] {"GET", "/api/v1/configmaps", null, null});
            requests.add(new String[] {"GET", "/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations", null, null});
            int answered = 0;
            int found = 0;
            for (String[] r : requests) {
                HttpResponse<String> a = send(indexed, r);
                HttpResponse<String> b = send(fabric8, r);
                String request = String.join(" ", r[0], r[1], String.valueOf(r[3]));
                assertThat(a.statusCode()).as(request).isEqualTo(b.statusCode());
                assertThat(normalized(a.body())).as(request).isEqualTo(normalized(b.body()));
                answered++;
                if (a.statusCode() == 200 && "GET".equals(r[0])) {
                    found++;
                }
            }
            assertThat(answered).isEqualTo(requests.size());
            assertThat(found).as("GETs that found something, so that objects are compared").isGreaterThan(50);
        }
    }

    @Test
    void aLookupOfOneObjectLooksAtThatObjectsKeysOnly() {
        KubernetesAttributesExtractor paths = new KubernetesAttributesExtractor();
        StoreIndex index = new StoreIndex();
        for (int i = 0; i < 100; i++) {
            for (String ns : NAMESPACES) {
                index.add(paths.fromPath("/api/v1/namespaces/" + ns + "/configmaps/cm-" + i));
            }
            index.add(paths.fromPath("/apis/rbac.authorization.k8s.io/v1/clusterroles/role-" + i));
        }
        assertThat(index.size()).isEqualTo(400);
        assertThat(index.candidates(paths.fromPath("/api/v1/namespaces/team-a/configmaps/cm-7"))).hasSize(1);
        assertThat(index.candidates(paths.fromPath("/api/v1/namespaces/team-a/configmaps"))).hasSize(100);
        assertThat(index.candidates(paths.fromPath("/api/v1/configmaps?fieldSelector=metadata.name%3Dcm-7")))
            .hasSize(3);
        assertThat(index.candidates(paths.fromPath("/apis/rbac.authorization.k8s.io/v1/clusterroles/role-3")))
            .hasSize(1);
        assertThat(index.candidates(paths.fromPath("/api/v1/namespaces/team-a/secrets"))).isEmpty();
        AttributeSet removed = paths.fromPath("/api/v1/namespaces/team-a/configmaps/cm-7");
        index.remove(removed);
        assertThat(index.candidates(removed)).isEmpty();
        assertThat(index.size()).isEqualTo(399);
    }

    @Test
    void watchesWithSelectorsReplayAsFabric8sStore() throws Exception {
        try (InMemoryKubernetes indexed = InMemoryKubernetes.start(InMemoryKubernetes.Store.INDEXED);
             InMemoryKubernetes fabric8 = InMemoryKubernetes.start(InMemoryKubernetes.Store.FABRIC8_MOCK)) {
            Random random = new Random(23);
            List<String[]> requests = new ArrayList<>();
            for (String ns : NAMESPACES.subList(1, NAMESPACES.size())) {
                requests.add(new String[] {"POST", "/api/v1/namespaces", "application/json",
                    "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + ns + "\"}}"});
            }
            for (int i = 0; i < 200; i++) {
                String cms = "/api/v1/namespaces/" + NAMESPACES.get(random.nextInt(NAMESPACES.size())) + "/configmaps";
                String name = "cm-" + random.nextInt(20);
                String labels = "{\"tier\":\"" + pick(random, "web", "db") + "\",\"app\":\"" + pick(random, "a", "b", "c")
                    + "\"}";
                requests.add(switch (random.nextInt(5)) {
                    case 0, 1 -> new String[] {"POST", cms, "application/json", "{\"apiVersion\":\"v1\","
                        + "\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\",\"labels\":" + labels
                        + "},\"data\":{\"i\":\"" + i + "\"}}"};
                    // a relabelling moves the object between label buckets, and to the end of the store's order
                    case 2 -> new String[] {"PATCH", cms + "/" + name, "application/merge-patch+json",
                        "{\"metadata\":{\"labels\":" + labels + "}}"};
                    case 3 -> new String[] {"PATCH", cms + "/" + name, "application/merge-patch+json",
                        "{\"metadata\":{\"labels\":{\"app\":null}},\"data\":{\"patched\":\"" + i + "\"}}"};
                    default -> new String[] {"DELETE", cms + "/" + name, null, null};
                });
            }
            for (String[] r : requests) {
                assertThat(send(indexed, r).statusCode()).isEqualTo(send(fabric8, r).statusCode());
            }
            List<String> watched = List.of(
                "/api/v1/namespaces/team-a/configmaps?labelSelector=tier%3Dweb",
                "/api/v1/configmaps?labelSelector=tier%3Ddb%2Capp%3Da",
                "/api/v1/configmaps?labelSelector=app%3D%3Dc%2Ctier",
                "/api/v1/namespaces/team-b/configmaps?labelSelector=tier%21%3Dweb",
                "/api/v1/namespaces/default/configmaps?labelSelector=app%3Db%2C%21tier",
                "/api/v1/namespaces/default/configmaps?fieldSelector=metadata.name%3Dcm-3",
                "/api/v1/configmaps?labelSelector=tier%3Dnone",
                "/api/v1/configmaps");
            int replayed = 0;
            for (String path : watched) {
                HttpResponse<String> listed = send(fabric8, new String[] {"GET", path, null, null});
                int expected = Json.read(listed.body()).path("items").size();
                assertThat(normalized(send(indexed, new String[] {"GET", path, null, null}).body()))
                    .as(path).isEqualTo(normalized(listed.body()));
                String watch = path + (path.contains("?") ? "&" : "?") + "watch=true";
                List<String> a = replay(indexed, watch, expected);
                List<String> b = replay(fabric8, watch, expected);
                assertThat(a).as(watch).hasSize(expected).isEqualTo(b);
                replayed += expected;
            }
            assertThat(replayed).as("objects replayed, so that watches are compared on something").isGreaterThan(40);
        }
    }

    @Test
    void aListByLabelLooksAtThatLabelsKeysOnly() {
        KubernetesAttributesExtractor paths = new KubernetesAttributesExtractor();
        StoreIndex index = new StoreIndex();
        for (int i = 0; i < 90; i++) {
            String ns = NAMESPACES.get(i % NAMESPACES.size());
            index.add(paths.fromPath("/api/v1/namespaces/" + ns + "/configmaps/cm-" + i)
                .add(new Attribute("labels:tier", i % 2 == 0 ? "web" : "db"), new Attribute("labels:app", "a" + i % 5)));
        }
        assertThat(index.candidates(paths.fromPath("/api/v1/configmaps?labelSelector=tier%3Dweb"))).hasSize(45);
        assertThat(index.candidates(paths.fromPath("/api/v1/namespaces/team-a/configmaps?labelSelector=tier%3Dweb")))
            .hasSize(15);
        // the smaller of the two labels' buckets: app=a1 holds 18 keys, 6 of them in team-a
        assertThat(index.candidates(paths.fromPath("/api/v1/configmaps?labelSelector=tier%3Dweb%2Capp%3Da1")))
            .hasSize(18);
        assertThat(index.candidates(paths.fromPath(
            "/api/v1/namespaces/team-a/configmaps?labelSelector=tier%3D%3Dweb%2Capp%3Da1"))).hasSize(6);
        assertThat(index.candidates(paths.fromPath("/api/v1/configmaps?labelSelector=tier%3Dnone"))).isEmpty();
        // an inequality or an existence test cannot narrow: the namespace's bucket
        assertThat(index.candidates(paths.fromPath("/api/v1/namespaces/team-a/configmaps?labelSelector=tier%21%3Dweb")))
            .hasSize(30);
        assertThat(index.candidates(paths.fromPath("/api/v1/namespaces/team-a/configmaps?labelSelector=tier")))
            .hasSize(30);
        index.remove(paths.fromPath("/api/v1/namespaces/team-a/configmaps/cm-1")
            .add(new Attribute("labels:tier", "db"), new Attribute("labels:app", "a1")));
        assertThat(index.candidates(paths.fromPath("/api/v1/configmaps?labelSelector=app%3Da1"))).hasSize(17);
        assertThat(index.candidates(paths.fromPath("/api/v1/configmaps?labelSelector=tier%3Ddb"))).hasSize(44);
        // fabric8's wildcard value matches any requirement: no narrowing while such a key is stored
        AttributeSet wildcard = paths.fromPath("/api/v1/namespaces/team-a/configmaps/star")
            .add(new Attribute("labels:tier", "*"));
        index.add(wildcard);
        assertThat(index.candidates(paths.fromPath("/api/v1/configmaps?labelSelector=tier%3Dnone"))).hasSize(90);
        index.remove(wildcard);
        assertThat(index.candidates(paths.fromPath("/api/v1/configmaps?labelSelector=tier%3Dnone"))).isEmpty();
    }

    /**
     * Opens a watch of {@code path} and collects the {@code expected} events of its opening replay.
     *
     * @return each event's type and object, normalized
     */
    private List<String> replay(InMemoryKubernetes kube, String path, int expected) throws Exception {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        WebSocket socket = http.newWebSocketBuilder()
            .buildAsync(URI.create(kube.url().replaceFirst("^http", "ws") + path), new WebSocket.Listener() {
                private final StringBuilder text = new StringBuilder();

                @Override
                public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                    text.append(data);
                    if (last) {
                        events.add(normalized(text.toString()));
                        text.setLength(0);
                    }
                    webSocket.request(1);
                    return null;
                }
            }).get(30, TimeUnit.SECONDS);
        try {
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> events.size() >= expected);
            return List.copyOf(events);
        } finally {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(30, TimeUnit.SECONDS);
        }
    }

    /** One request on a small set of names, so that creates conflict, gets find and deletes hit. */
    private static String[] randomRequest(Random random, int i) {
        String ns = NAMESPACES.get(random.nextInt(NAMESPACES.size()));
        String name = "cm-" + random.nextInt(12);
        String cms = "/api/v1/namespaces/" + ns + "/configmaps";
        String tier = random.nextBoolean() ? "web" : "db";
        String ks = "/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/" + ns + "/kustomizations";
        String ksName = "app-" + random.nextInt(4);
        String cr = "/apis/rbac.authorization.k8s.io/v1/clusterroles";
        String crName = "role-" + random.nextInt(4);
        String finalizers = random.nextInt(4) == 0 ? ",\"finalizers\":[\"example.com/keep\"]" : "";
        return switch (random.nextInt(16)) {
            case 0, 1 -> new String[] {"POST", cms, "application/json", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\","
                + "\"metadata\":{\"name\":\"" + name + "\",\"labels\":{\"tier\":\"" + tier + "\"}" + finalizers
                + "},\"data\":{\"i\":\"" + i + "\"}}"};
            case 2, 3 -> new String[] {"GET", cms + "/" + name, null, null};
            case 4 -> new String[] {"GET", cms + pick(random, "", "?labelSelector=tier%3Dweb",
                "?labelSelector=tier%21%3Dweb", "?labelSelector=tier", "?labelSelector=%21tier",
                "?fieldSelector=metadata.name%3D" + name), null, null};
            case 5 -> new String[] {"GET", "/api/v1/configmaps" + pick(random, "", "?labelSelector=tier%3Ddb",
                "?fieldSelector=metadata.namespace%3D" + ns), null, null};
            case 6 -> new String[] {"PATCH", cms + "/" + name, "application/merge-patch+json",
                "{\"metadata\":{\"labels\":{\"tier\":\"" + tier + "\"}},\"data\":{\"patched\":\"" + i + "\"}}"};
            case 7 -> new String[] {"PATCH", cms + "/" + name + "?fieldManager=test&force=true",
                "application/apply-patch+yaml", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\","
                    + "\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + ns + "\"},"
                    + "\"data\":{\"applied\":\"" + i + "\"}}"};
            case 8 -> new String[] {"PUT", cms + "/" + name, "application/json", "{\"apiVersion\":\"v1\","
                + "\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + ns
                + "\"" + (random.nextBoolean() ? ",\"resourceVersion\":\"1\"" : "") + "},\"data\":{\"put\":\"" + i
                + "\"}}"};
            case 9 -> new String[] {"DELETE", cms + "/" + name, null, null};
            case 10 -> new String[] {"PATCH", cms + "/" + name, "application/merge-patch+json",
                "{\"metadata\":{\"finalizers\":null}}"};
            case 11 -> new String[] {"DELETE", cms + "?labelSelector=tier%3D" + tier, null, null};
            case 12 -> new String[] {"PATCH", ks + "/" + ksName + "?fieldManager=test&force=true",
                "application/apply-patch+yaml", "{\"apiVersion\":\"kustomize.toolkit.fluxcd.io/v1\","
                    + "\"kind\":\"Kustomization\",\"metadata\":{\"name\":\"" + ksName + "\",\"namespace\":\"" + ns
                    + "\"},\"spec\":{\"interval\":\"" + (1 + random.nextInt(9)) + "m\",\"prune\":true,"
                    + "\"sourceRef\":{\"kind\":\"GitRepository\",\"name\":\"repo\"}}}"};
            case 13 -> new String[] {"PATCH", ks + "/" + ksName + "/status", "application/merge-patch+json",
                "{\"status\":{\"observedGeneration\":" + random.nextInt(3) + "}}"};
            case 14 -> random.nextBoolean() ? new String[] {"GET", ks + pick(random, "", "/" + ksName), null, null}
                : new String[] {"GET", "/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations", null, null};
            default -> switch (random.nextInt(3)) {
                case 0 -> new String[] {"POST", cr, "application/json",
                    "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRole\","
                        + "\"metadata\":{\"name\":\"" + crName + "\"},\"rules\":[]}"};
                case 1 -> new String[] {"GET", cr + pick(random, "", "/" + crName), null, null};
                default -> new String[] {"DELETE", cr + "/" + crName, null, null};
            };
        };
    }

    private static String pick(Random random, String... choices) {
        return choices[random.nextInt(choices.length)];
    }

    private HttpResponse<String> send(InMemoryKubernetes kube, String[] r) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(kube.url() + r[1]))
            .method(r[0], r[3] == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(r[3]));
        if (r[2] != null) {
            request.header("Content-Type", r[2]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The body without what differs between two servers by design: uids, timestamps and resourceVersions (the indexed
     * store gives a delete a resourceVersion of its own, as kube-apiserver does, for its watches; fabric8's does not,
     * so the numbers part after the first delete). An update's resourceVersion is therefore either none or "1", stale
     * on both. Keys are sorted: a watch event of the indexed store carries the object as stored, fabric8's as its
     * model classes write it, in their field order.
     */
    private static String normalized(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        JsonNode node = Json.read(body);
        strip(node);
        try {
            return SORTED_KEYS.writeValueAsString(SORTED_KEYS.convertValue(node, Object.class));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper SORTED_KEYS =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .configure(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private static void strip(JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (String field : List.of("uid", "creationTimestamp", "deletionTimestamp", "time",
                "lastTransitionTime", "resourceVersion")) {
                object.remove(field);
            }
        }
        node.forEach(IndexedStoreTest::strip);
    }
}

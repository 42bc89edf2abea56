package io.conflux.cli.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.conflux.embedded.Authorizer;
import io.conflux.embedded.InMemoryKubernetes;
import io.conflux.helm.ChartRenderer;
import io.conflux.helm.HelmException;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Helm chart {@code deploy/chart/conflux}: the reference helm v4 lints it and renders the same objects as the
 * embedded Helm that {@code conflux install} uses; every object it renders is accepted by the API server; and its
 * ClusterRoles give each service the requests the services make and no more (the e2e suite runs every service under
 * them).
 */
class ConfluxChartTest {
    private static final Path ROOT = Path.of("..");
    private static final Path HELM = Path.of(System.getProperty("user.home"), ".cache/conflux-ref/bin/helm");
    private static final Path PRODUCTION = ROOT.resolve("deploy/chart/examples/values-production.yaml");
    private static final Map<String, Object> MINIMAL = Map.of(
            "kafka", Map.of("bootstrapServers", "conflux-kafka-bootstrap.kafka:9092"),
            "postgresql", Map.of("host", "conflux-pg-rw.postgres"));

    @TempDir
    Path work;

    @Test
    void theReferenceHelmLintsTheChartAndRendersWhatTheEmbeddedHelmRenders() throws Exception {
        assumeTrue(Files.isExecutable(HELM), "reference helm not installed at " + HELM
                + " (bash ../shared/tools/install-reference-tools.sh)");
        Path chart = ROOT.resolve(ConfluxChart.DIRECTORY);
        run(List.of(HELM.toString(), "lint", "--strict", chart.toString(), "-f", PRODUCTION.toString()));
        for (Map<String, Object> values : List.of(MINIMAL, yaml(Files.readString(PRODUCTION)).get(0))) {
            Path valuesFile = Files.writeString(work.resolve("values.json"), new ObjectMapper().writeValueAsString(values));
            List<Map<String, Object>> reference = yaml(run(List.of(HELM.toString(), "template", ConfluxChart.RELEASE,
                    chart.toString(), "--namespace", "flux-system", "--values", valuesFile.toString(), "--include-crds",
                    "--kube-version", ChartRenderer.DEFAULT_KUBE_VERSION)));
            List<Map<String, Object>> ours = new ConfluxChart(ROOT).render("flux-system", values);
            Map<String, Object> expected = byName(reference);
            Map<String, Object> actual = byName(ours);
            assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
            expected.forEach((name, object) -> assertThat(actual.get(name)).as(name).isEqualTo(object));
        }
    }

    @Test
    void everyObjectTheChartRendersIsAcceptedByTheApiServer() throws Exception {
        List<Map<String, Object>> objects = new ConfluxChart(ROOT).render("flux-system", yaml(Files.readString(PRODUCTION)).get(0));
        assertThat(objects).extracting(o -> o.get("kind")).contains("CustomResourceDefinition", "Deployment", "Service",
                "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "PodDisruptionBudget",
                "NetworkPolicy", "Ingress");
        try (InMemoryKubernetes kube = InMemoryKubernetes.start()) {
            KubernetesClient client = kube.client();
            client.resource(new NamespaceBuilder().withNewMetadata().withName("flux-system").endMetadata().build()).create();
            for (Map<String, Object> object : objects) {
                if ("ServiceMonitor".equals(object.get("kind"))) {
                    continue; // the Prometheus Operator's CRD is not Conflux's to install
                }
                GenericKubernetesResource resource = client.getKubernetesSerialization()
                        .convertValue(object, GenericKubernetesResource.class);
                client.resource(resource).fieldManager("conflux").forceConflicts().serverSideApply();
            }
            assertThat(client.apps().deployments().inNamespace("flux-system").list().getItems())
                    .extracting(d -> d.getMetadata().getName())
                    .containsExactlyInAnyOrder("conflux-webhook-receiver", "conflux-renderer", "conflux-applier", "conflux-notifier");
            assertThat(client.apps().deployments().inNamespace("flux-system").withName("conflux-applier").get()
                    .getSpec().getTemplate().getSpec().getContainers().get(0).getSecurityContext().getReadOnlyRootFilesystem())
                    .isTrue();
        }
    }

    @Test
    void aMissingConnectionValueIsAClearError() {
        assertThatThrownBy(() -> new ConfluxChart(ROOT).render("flux-system", Map.of()))
                .isInstanceOf(HelmException.class).hasMessageContaining("kafka.bootstrapServers is required");
    }

    @Test
    void eachServiceMayMakeItsOwnRequestsAndNoOthers() {
        try (InMemoryKubernetes kube = InMemoryKubernetes.start()) {
            kube.client().resource(new NamespaceBuilder().withNewMetadata().withName("flux-system").endMetadata().build()).create();
            kube.installCrds(ROOT.resolve("deploy/crds"));
            for (Map<String, Object> object : new ConfluxChart(ROOT).rbac("flux-system")) {
                kube.client().resource(kube.client().getKubernetesSerialization()
                        .convertValue(object, GenericKubernetesResource.class))
                        .fieldManager("conflux").forceConflicts().serverSideApply();
            }
            kube.authorize(Authorizer.RBAC);
            try (KubernetesClient renderer = as(kube, "renderer"); KubernetesClient notifier = as(kube, "notifier");
                 KubernetesClient receiver = as(kube, "webhook-receiver")) {
                assertThat(renderer.genericKubernetesResources("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
                        .inAnyNamespace().list().getItems()).isEmpty();
                assertThat(renderer.secrets().inNamespace("default").withName("absent").get()).isNull();
                assertForbidden(() -> renderer.secrets().inNamespace("default").list());
                assertForbidden(() -> notifier.genericKubernetesResources("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
                        .inNamespace("default").withName("x").delete());
                assertForbidden(() -> receiver.apps().deployments().inAnyNamespace().list());
                // a Receiver's named Kustomization gets reconcile.fluxcd.io/requestedAt (fabric8 reads it before the patch)
                kube.client().resource("""
                        apiVersion: kustomize.toolkit.fluxcd.io/v1
                        kind: Kustomization
                        metadata: {name: app, namespace: default}
                        spec: {interval: 10m, path: ./, prune: true, sourceRef: {kind: GitRepository, name: app}}
                        """).create();
                receiver.genericKubernetesResources("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
                        .inNamespace("default").withName("app").patch(
                                io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                                        io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                                "{\"metadata\":{\"annotations\":{\"reconcile.fluxcd.io/requestedAt\":\"now\"}}}");
                // a Receiver may name Flux's image automation kinds (its CRD's enum): allowed, then 404 without the CRD
                assertThatThrownBy(() -> receiver.genericKubernetesResources(
                        new io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext.Builder()
                                .withGroup("image.toolkit.fluxcd.io").withVersion("v1beta2").withKind("ImageRepository")
                                .withPlural("imagerepositories").withNamespaced(true).build()).inNamespace("default").withName("app")
                        .patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE), "{}"))
                        .isInstanceOfSatisfying(KubernetesClientException.class,
                                e -> assertThat(e.getCode()).as(e.getMessage()).isNotEqualTo(403));
                assertThat(renderer.leases().inNamespace("flux-system").withName("conflux-renderer").get()).isNull();
                assertForbidden(() -> notifier.leases().inNamespace("flux-system").list());
            }
        }
    }

    private static KubernetesClient as(InMemoryKubernetes kube, String service) {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(kube.url())
                .withOauthToken(InMemoryKubernetes.serviceAccountToken("flux-system", ConfluxChart.objectName(service)))
                .withNamespace("default").build()).build();
    }

    private static void assertForbidden(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(KubernetesClientException.class,
                e -> assertThat(e.getCode()).isEqualTo(403));
    }

    /** @return the objects keyed by {@code kind/namespace/name}, as canonical JSON values */
    private static Map<String, Object> byName(List<Map<String, Object>> objects) {
        Map<String, Object> out = new TreeMap<>();
        ObjectMapper json = new ObjectMapper();
        for (Map<String, Object> o : objects) {
            @SuppressWarnings("unchecked")
            Map<String, Object> meta = (Map<String, Object>) o.get("metadata");
            out.put(o.get("kind") + "/" + meta.get("namespace") + "/" + meta.get("name"), json.valueToTree(o));
        }
        return out;
    }

    private static List<Map<String, Object>> yaml(String text) throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        try (MappingIterator<Map<String, Object>> it = new ObjectMapper(new YAMLFactory())
                .readerFor(Map.class).readValues(text)) {
            while (it.hasNext()) {
                Map<String, Object> doc = it.next();
                if (doc != null && !doc.isEmpty()) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    private String run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        Path home = Files.createDirectories(work.resolve("helm-home"));
        pb.environment().put("HELM_CONFIG_HOME", home.resolve("config").toString());
        pb.environment().put("HELM_CACHE_HOME", home.resolve("cache").toString());
        pb.environment().put("HELM_DATA_HOME", home.resolve("data").toString());
        Path err = work.resolve("helm.err");
        pb.redirectError(err.toFile());
        Process process = pb.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("%s failed: %s", command, Files.readString(err)).isZero();
        return out;
    }
}

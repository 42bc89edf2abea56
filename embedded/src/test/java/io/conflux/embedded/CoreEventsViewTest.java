package io.conflux.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * core/v1 Events and events.k8s.io/v1 Events are two views of one store on the in-memory API server, as on
 * kube-apiserver: what the notifier writes through events.k8s.io/v1 is listed by {@code kubectl events --for}, which
 * reads core/v1 with an {@code involvedObject} field selector.
 */
class CoreEventsViewTest {
    private static final Path CRDS = Path.of("../deploy/crds");
    private static final DateTimeFormatter MICRO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
        .withZone(ZoneOffset.UTC);

    @TempDir
    Path work;

    @Test
    void anEventWrittenThroughEventsV1IsReadThroughCoreV1WithItsFieldsMapped() {
        try (InMemoryKubernetes kube = InMemoryKubernetes.start()) {
            KubernetesClient client = kube.client();
            namespace(client, "apps");
            client.resource(eventsV1("apps", "podinfo.1", "Kustomization", "podinfo", "BuildFailed",
                "kustomize build failed: missing.yaml", "Warning")).create();
            client.resource(eventsV1("apps", "other.1", "HelmRelease", "podinfo", "InstallSucceeded",
                "installed", "Normal")).create();

            Event core = client.v1().events().inNamespace("apps").withName("podinfo.1").get();
            assertThat(core.getApiVersion()).isEqualTo("v1");
            assertThat(core.getMessage()).isEqualTo("kustomize build failed: missing.yaml");
            assertThat(core.getInvolvedObject().getKind()).isEqualTo("Kustomization");
            assertThat(core.getInvolvedObject().getName()).isEqualTo("podinfo");
            assertThat(core.getInvolvedObject().getApiVersion()).isEqualTo("kustomize.toolkit.fluxcd.io/v1");
            assertThat(core.getReportingComponent()).isEqualTo("conflux-applier");
            assertThat(core.getReportingInstance()).isEqualTo("applier-0");
            assertThat(core.getCount()).isEqualTo(3);
            assertThat(core.getSeries().getCount()).isEqualTo(3);
            assertThat(core.getType()).isEqualTo("Warning");
            assertThat(core.getReason()).isEqualTo("BuildFailed");

            // the field selector kubectl events --for sends picks the Kustomization's event only
            List<Event> forKustomization = client.v1().events().inNamespace("apps")
                .withField("involvedObject.kind", "Kustomization").withField("involvedObject.name", "podinfo").list()
                .getItems();
            assertThat(forKustomization).extracting(e -> e.getMetadata().getName()).containsExactly("podinfo.1");
            assertThat(client.v1().events().inAnyNamespace().withoutField("type", "Warning").list().getItems())
                .extracting(e -> e.getMetadata().getName()).containsExactly("other.1");
            assertThat(client.v1().events().inNamespace("default").list().getItems()).isEmpty();
        }
    }

    @Test
    void anEventWrittenThroughCoreV1IsStoredAsEventsV1AndPatchedThroughEither() {
        try (InMemoryKubernetes kube = InMemoryKubernetes.start()) {
            KubernetesClient client = kube.client();
            namespace(client, "apps");
            client.v1().events().inNamespace("apps").resource(new EventBuilder()
                .withNewMetadata().withName("cm.1").endMetadata()
                .withNewInvolvedObject().withApiVersion("v1").withKind("ConfigMap").withName("cm").withNamespace("apps")
                .endInvolvedObject()
                .withReason("Created").withMessage("created by hand").withType("Normal").withCount(1)
                .withNewSource().withComponent("kubectl").endSource()
                .build()).create();

            GenericKubernetesResource stored = client.genericKubernetesResources("events.k8s.io/v1", "Event")
                .inNamespace("apps").withName("cm.1").get();
            assertThat(stored.get("note").toString()).isEqualTo("created by hand");
            assertThat(stored.<String>get("regarding", "kind")).isEqualTo("ConfigMap");
            assertThat(stored.<Integer>get("deprecatedCount")).isEqualTo(1);
            assertThat(stored.<String>get("deprecatedSource", "component")).isEqualTo("kubectl");
            assertThat(stored.getAdditionalProperties()).doesNotContainKeys("message", "involvedObject", "count");

            client.v1().events().inNamespace("apps").withName("cm.1").edit(e -> new EventBuilder(e).withCount(2).build());
            assertThat(client.genericKubernetesResources("events.k8s.io/v1", "Event").inNamespace("apps")
                .withName("cm.1").get().<Integer>get("deprecatedCount")).isEqualTo(2);
            assertThat(client.v1().events().inNamespace("apps").withField("source", "kubectl").list().getItems())
                .hasSize(1);

            assertThat(client.v1().events().inNamespace("apps").withName("cm.1").delete()).isNotEmpty();
            assertThat(client.genericKubernetesResources("events.k8s.io/v1", "Event").inNamespace("apps")
                .withName("cm.1").get()).isNull();
        }
    }

    @Test
    void aFieldLabelCoreEventsDoNotHaveIsRefusedAsKubeApiserverRefusesIt() {
        try (InMemoryKubernetes kube = InMemoryKubernetes.start()) {
            assertThatThrownBy(() -> kube.client().v1().events().inNamespace("default").withField("note", "x").list())
                .isInstanceOf(KubernetesClientException.class)
                .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(400))
                .hasMessageContaining("field label not supported: note");
        }
    }

    @Test
    void kubectlEventsForAKustomizationListsTheEventWrittenThroughEventsV1() throws Exception {
        Path kubectl = Path.of(System.getProperty("user.home"), ".cache/conflux-ref/bin/kubectl");
        assumeTrue(Files.isExecutable(kubectl), "reference kubectl not installed at " + kubectl
            + " (bash ../shared/tools/install-reference-tools.sh)");
        try (InMemoryKubernetes kube = InMemoryKubernetes.start()) {
            KubernetesClient client = kube.client();
            kube.installCrds(CRDS);
            namespace(client, "apps");
            client.resource(eventsV1("apps", "podinfo.1", "Kustomization", "podinfo", "BuildFailed",
                "kustomize build failed: accumulating resources: missing.yaml", "Warning")).create();
            client.resource(eventsV1("apps", "podinfo.2", "HelmRelease", "podinfo", "InstallSucceeded",
                "Helm install succeeded", "Normal")).create();
            Path kubeconfig = kube.writeKubeconfig(work.resolve("kubeconfig"));

            String out = run(kubectl.toString(), "--kubeconfig", kubeconfig.toString(), "events",
                "--for", "kustomization/podinfo", "-n", "apps");
            assertThat(out).contains("Warning").contains("BuildFailed").contains("Kustomization/podinfo")
                .contains("kustomize build failed: accumulating resources: missing.yaml")
                .doesNotContain("InstallSucceeded");
            assertThat(out.lines().filter(l -> !l.isBlank())).hasSize(2); // header and the one event
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private static void namespace(KubernetesClient client, String name) {
        client.resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
    }

    /** An Event as the notifier's KubeEvent writes it, repeated three times (a series). */
    private static GenericKubernetesResource eventsV1(String namespace, String name, String kind, String object,
                                                      String reason, String note, String type) {
        String group = kind.equals("Kustomization") ? "kustomize.toolkit.fluxcd.io/v1" : "helm.toolkit.fluxcd.io/v2";
        String now = MICRO_TIME.format(Instant.now());
        return Serialization.unmarshal("""
            {"apiVersion": "events.k8s.io/v1", "kind": "Event",
             "metadata": {"name": "%s", "namespace": "%s"},
             "eventTime": "%s", "reportingController": "conflux-applier", "reportingInstance": "applier-0",
             "action": "%s", "reason": "%s", "note": "%s", "type": "%s", "deprecatedCount": 3,
             "series": {"count": 3, "lastObservedTime": "%s"},
             "regarding": {"apiVersion": "%s", "kind": "%s", "namespace": "%s", "name": "%s"}}
            """.formatted(name, namespace, now, reason, reason, note, type, now, group, kind, namespace, object),
            GenericKubernetesResource.class);
    }
}

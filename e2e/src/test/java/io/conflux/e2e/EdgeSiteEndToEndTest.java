package io.conflux.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.conflux.cli.local.Bootstrap;
import io.conflux.cli.local.EdgeSiteExample;
import io.conflux.cli.local.FixtureRepositories;
import io.conflux.cli.local.LocalInstallation;
import io.conflux.model.helm.HelmRelease;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.notification.Receiver;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The walking skeleton on the seeds' edge-site repositories: real Kafka (KRaft), real PostgreSQL, the four services
 * as separate JVMs, fabric8's in-memory API server as management and target cluster, a local HTTP sink as Slack.
 * One bootstrap (GitRepository + Kustomization of ecs-infra at sites/new_york) must grow the whole tree.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EdgeSiteEndToEndTest {
    static final Path PROJECT = Path.of("..").toAbsolutePath().normalize();
    static final Path FIXTURES = PROJECT.resolve("../shared/fixtures/repos").normalize();
    static final String NS = "default";
    static final String TOKEN = "e2e-receiver-token";
    static final String ZERO = "0".repeat(40);
    static final Duration CONVERGE = Duration.ofMinutes(4);

    static LocalInstallation conflux;
    static EdgeSiteExample site;
    static SlackSink slack;
    static GitHubWebhook github;
    static KubernetesClient client;
    static String infraSha;
    static String appsSha;
    static String podinfoSha;
    static String prunedAppsSha;
    static String fixedAppsSha;
    static String fixedDelivery;
    static String fixedBody;

    @BeforeAll
    static void startConflux() throws Exception {
        Path work = PROJECT.resolve("e2e/target/e2e-" + System.currentTimeMillis());
        site = EdgeSiteExample.create(FIXTURES, work);
        infraSha = FixtureRepositories.head(site.infraRepo());
        appsSha = FixtureRepositories.head(site.appsRepo());
        podinfoSha = FixtureRepositories.head(site.podinfoRepo());
        slack = new SlackSink();
        // the four services in one JVM, as `conflux up --example edge-site` runs them (the other classes: one JVM each)
        conflux = LocalInstallation.start(new LocalInstallation.Options(PROJECT, work, site.urlRewrites(), null, java.util.Map.of(),
                Duration.ofMinutes(3)).withOneJvm(true).withJvmOptions(LocalInstallation.ONE_JVM_OPTIONS));
        client = conflux.client();
        EdgeSiteExample.installPlatform(client, PROJECT);
        Bootstrap.slackAlert(client, NS, slack.url(), List.of(NS, "flux-system"));
        Bootstrap.githubReceiver(client, NS, "github", TOKEN, List.of("ecs-infra", "ecs-apps"));
        String path = await().atMost(Duration.ofMinutes(1)).until(() -> {
            Receiver r = client.resources(Receiver.class).inNamespace(NS).withName("github").get();
            return r.getStatus() == null ? null : r.getStatus().webhookPath();
        }, p -> p != null);
        assertThat(path).isEqualTo("/hook/" + sha256(TOKEN + "github" + NS));
        github = new GitHubWebhook("http://127.0.0.1:" + conflux.service("webhook-receiver").httpPort() + path, TOKEN);
        Bootstrap.gitOps(client, new Bootstrap.Source(NS, "ecs-infra", site.infraUrl(), "main", EdgeSiteExample.SITE_PATH, "1m"));
    }

    @AfterAll
    static void stopConflux() {
        if (conflux != null) {
            conflux.close();
        }
        if (slack != null) {
            slack.close();
        }
    }

    @Test
    @Order(1)
    void signedPushGrowsTheWholeTreeFromOneBootstrap() throws Exception {
        HttpResponse<String> response = github.send("push", UUID.randomUUID().toString(),
                GitHubWebhook.push("saqebakhter/ecs-infra-example", "main", ZERO, infraSha));
        assertThat(response.statusCode()).isEqualTo(200);

        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertReady(NS, "ecs-infra", "main@sha1:" + infraSha);
            assertReady(NS, "base-infra", "main@sha1:" + infraSha);
            assertReady(NS, "new-york-apps", "main@sha1:" + appsSha);
            assertReady("flux-system", "podinfo", "master@sha1:" + podinfoSha);
        });

        assertThat(client.apps().deployments().inNamespace("podinfo-git").withName("podinfo").get()).isNotNull();
        HorizontalPodAutoscaler hpa = client.autoscaling().v2().horizontalPodAutoscalers().inNamespace("podinfo-git").withName("podinfo").get();
        assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(2);
        Service svc = client.services().inNamespace("podinfo-git").withName("podinfo").get();
        assertThat(svc.getSpec().getType()).isEqualTo("NodePort");
        assertThat(svc.getSpec().getPorts()).anySatisfy(p -> assertThat(p.getNodePort()).isEqualTo(30098));

        assertThat(client.apps().deployments().inNamespace("kube-system").withName("vrops-cadvisor").get()).isNotNull();
        assertThat(client.namespaces().withName("kubernetes-dashboard").get()).isNotNull();
        assertThat(client.apps().deployments().inNamespace("kubernetes-dashboard").withName("kubernetes-dashboard").get()).isNotNull();
        assertThat(client.genericKubernetesResources("esx.vmware.com/v1alpha1", "HostConfiguration")
                .inNamespace("esx-system").withName("keswick-host-config").get()).isNotNull();
        assertThat(client.apps().deployments().inNamespace(NS).withName("nginx").get()).isNotNull();

        // The charts' repositories are not served here: each HelmRelease fails, naming the URL it could not reach.
        await().atMost(Duration.ofMinutes(3)).untilAsserted(() -> {
            assertHelmReleaseFailed("goldpinger", "okgolove", "https://okgolove.github.io/helm-charts/");
            assertHelmReleaseFailed("flux-system", "ww-gitops", "oci://ghcr.io/weaveworks/charts");
        });
    }

    @Test
    @Order(2)
    void aManifestRemovedFromGitIsPruned() throws Exception {
        Path base = site.appsRepo().resolve("base");
        Files.delete(base.resolve("web-server.yaml"));
        Files.writeString(base.resolve("kustomization.yaml"),
                Files.readString(base.resolve("kustomization.yaml")).replace("  - web-server.yaml\n", ""));
        prunedAppsSha = FixtureRepositories.commitAll(site.appsRepo(), "Remove the web server");

        HttpResponse<String> response = github.send("push", UUID.randomUUID().toString(),
                GitHubWebhook.push("saqebakhter/ecs-apps-example", "main", appsSha, prunedAppsSha));
        assertThat(response.statusCode()).isEqualTo(200);

        await().atMost(CONVERGE).untilAsserted(() -> {
            assertReady(NS, "new-york-apps", "main@sha1:" + prunedAppsSha);
            assertThat(client.apps().deployments().inNamespace(NS).withName("nginx").get()).isNull();
            assertThat(client.services().inNamespace(NS).withName("ngnix-service").get()).isNull();
        });
        assertThat(client.configMaps().inNamespace(NS).withName("user-data").get()).isNotNull();
    }

    @Test
    @Order(3)
    void malformedYamlFailsOnlyItsKustomizationAndDeletesNothing() throws Exception {
        Path vm = site.appsRepo().resolve("base/linux-ubuntu-vm.yaml");
        String good = Files.readString(vm);
        Files.writeString(vm, good + "\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n");
        String brokenSha = FixtureRepositories.commitAll(site.appsRepo(), "Break the YAML");
        assertThat(github.send("push", UUID.randomUUID().toString(),
                GitHubWebhook.push("saqebakhter/ecs-apps-example", "main", prunedAppsSha, brokenSha)).statusCode()).isEqualTo(200);

        await().atMost(CONVERGE).untilAsserted(() -> {
            Kustomization k = kustomization(NS, "new-york-apps");
            Condition ready = Conditions.find(k.getStatus().conditions(), Condition.READY).orElseThrow();
            assertThat(ready.status()).isEqualTo("False");
            assertThat(ready.message()).contains("linux-ubuntu-vm.yaml");
            assertThat(k.getStatus().lastAttemptedRevision()).isEqualTo("main@sha1:" + brokenSha);
            assertThat(k.getStatus().lastAppliedRevision()).isEqualTo("main@sha1:" + prunedAppsSha);
        });
        assertThat(client.configMaps().inNamespace(NS).withName("user-data").get()).isNotNull();
        assertThat(client.namespaces().withName("goldpinger").get()).isNotNull();
        assertThat(client.apps().deployments().inNamespace("podinfo-git").withName("podinfo").get()).isNotNull();
        assertReady(NS, "base-infra", "main@sha1:" + infraSha);
        assertReady(NS, "ecs-infra", "main@sha1:" + infraSha);
        assertReady("flux-system", "podinfo", "master@sha1:" + podinfoSha);

        Files.writeString(vm, good);
        fixedAppsSha = FixtureRepositories.commitAll(site.appsRepo(), "Fix the YAML");
        fixedDelivery = UUID.randomUUID().toString();
        fixedBody = GitHubWebhook.push("saqebakhter/ecs-apps-example", "main", brokenSha, fixedAppsSha);
        assertThat(github.send("push", fixedDelivery, fixedBody).statusCode()).isEqualTo(200);
        await().atMost(CONVERGE).untilAsserted(() -> assertReady(NS, "new-york-apps", "main@sha1:" + fixedAppsSha));
        // notifications are asynchronous: wait until Slack has the outcome of the fix before the next test counts
        await().atMost(Duration.ofMinutes(1)).until(() ->
                slack.about("new-york-apps", NS).stream().anyMatch(m -> revision(m).endsWith(fixedAppsSha)));
    }

    @Test
    @Order(4)
    void forgedSignatureIsRefusedAndARedeliveryIsNotActedOnTwice() throws Exception {
        // a commit that does not exist: were the forged delivery acted on, the render of it would fail visibly
        String forgedSha = "0123456789abcdef0123456789abcdef01234567";
        String body = GitHubWebhook.push("saqebakhter/ecs-apps-example", "main", fixedAppsSha, forgedSha);
        HttpResponse<String> forged = github.send("push", UUID.randomUUID().toString(), body,
                "sha256=" + GitHubWebhook.hmac("not-the-token", body));
        assertThat(forged.statusCode()).isEqualTo(401);

        int messagesBefore = slack.about("new-york-apps", NS).size();
        HttpResponse<String> again = github.send("push", fixedDelivery, fixedBody);
        assertThat(again.statusCode()).isEqualTo(200);

        // Neither request may lead to a reconcile: give the pipeline time to act if it (wrongly) would.
        Thread.sleep(8_000);
        Kustomization k = kustomization(NS, "new-york-apps");
        assertThat(k.getStatus().lastAttemptedRevision()).isEqualTo("main@sha1:" + fixedAppsSha);
        assertThat(slack.about("new-york-apps", NS)).hasSize(messagesBefore);
    }

    @Test
    @Order(5)
    void slackReceivedOneMessagePerReconcileOutcomeInSlacksShape() {
        List<JsonNode> all = slack.all();
        assertThat(all).isNotEmpty().allSatisfy(m -> {
            JsonNode a = m.path("attachments").path(0);
            assertThat(a.path("color").asText()).isIn("good", "danger");
            assertThat(a.path("author_name").asText()).matches("kustomization/[a-z0-9-]+\\.[a-z0-9-]+");
            assertThat(a.path("text").asText()).isNotBlank();
            assertThat(m.path("channel").asText()).isEqualTo("general");
        });
        List<JsonNode> apps = slack.about("new-york-apps", NS);
        assertThat(apps.stream().filter(m -> revision(m).endsWith(prunedAppsSha)).toList()).singleElement()
                .satisfies(m -> assertThat(m.path("attachments").path(0).path("text").asText()).contains("Deployment/default/nginx deleted"));
        assertThat(apps.stream().filter(m -> "danger".equals(m.path("attachments").path(0).path("color").asText())).toList())
                .singleElement().satisfies(m -> assertThat(m.path("attachments").path(0).path("text").asText()).contains("linux-ubuntu-vm.yaml"));
        assertThat(apps.stream().filter(m -> revision(m).endsWith(fixedAppsSha)).toList()).hasSize(1);
        assertThat(slack.about("podinfo", "flux-system")).hasSize(1);
    }

    private static void assertHelmReleaseFailed(String namespace, String name, String url) {
        HelmRelease hr = client.resources(HelmRelease.class).inNamespace(namespace).withName(name).get();
        assertThat(hr.getStatus()).as("status of HelmRelease %s/%s", namespace, name).isNotNull();
        Condition ready = Conditions.find(hr.getStatus().conditions(), Condition.READY).orElseThrow();
        assertThat(ready.status()).isEqualTo("False");
        assertThat(ready.message()).contains(url);
    }

    private static String revision(JsonNode message) {
        for (JsonNode field : message.path("attachments").path(0).path("fields")) {
            if ("revision".equals(field.path("title").asText())) {
                return field.path("value").asText();
            }
        }
        return "";
    }

    private static Kustomization kustomization(String namespace, String name) {
        Kustomization k = client.resources(Kustomization.class).inNamespace(namespace).withName(name).get();
        assertThat(k).as("Kustomization %s/%s", namespace, name).isNotNull();
        assertThat(k.getStatus()).as("status of %s/%s", namespace, name).isNotNull();
        return k;
    }

    private static void assertReady(String namespace, String name, String revision) {
        Kustomization k = kustomization(namespace, name);
        assertThat(Conditions.isReady(k.getStatus().conditions(), k.getMetadata().getGeneration()))
                .as("%s/%s Ready: %s", namespace, name, k.getStatus().conditions()).isTrue();
        assertThat(k.getStatus().lastAppliedRevision()).as("%s/%s lastAppliedRevision", namespace, name).isEqualTo(revision);
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}

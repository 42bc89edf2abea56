package io.conflux.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.conflux.cli.local.Bootstrap;
import io.conflux.cli.local.BundleKeyFile;
import io.conflux.cli.local.FixtureRepositories;
import io.conflux.cli.local.LocalInstallation;
import io.conflux.e2e.OtlpTraceReceiver.ReceivedSpan;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.notification.Receiver;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue #14's traces and Kubernetes Events, end to end (real Kafka, real PostgreSQL, the four services as separate
 * JVMs under their chart ServiceAccounts, the in-memory API server). Its own small installation: trace export is
 * configured when a service starts, to a receiver that must exist by then, and the other suites' installations
 * keep Conflux's default (export off).
 *
 * <p>The services export spans over OTLP/HTTP to {@link OtlpTraceReceiver}, which decodes them with
 * OpenTelemetry's proto classes. One signed GitHub push webhook must be one trace: the receiver's HTTP server span
 * (the root) → its {@code conflux.reconcile-requests process} span → the renderer's
 * {@code conflux.source-revisions process} span → {@code render} of the Kustomization → the applier's
 * {@code conflux.render-results process} span → {@code apply} → the notifier's {@code conflux.events process}
 * span → {@code deliver} to the Slack Provider, each the parent of the next as the context crosses Kafka headers and
 * outbox rows. A Kustomization whose build fails gets a Kubernetes Event from the notifier, which the reference
 * {@code kubectl events --for kustomization/<name>} lists (core/v1 view of the events.k8s.io/v1 store). The services
 * log in JSON ({@code quarkus.log.console.json.enabled}): every line of their logs is one JSON object, and none holds
 * a secret value of the installation.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ObservabilityEndToEndTest {
    static final Path PROJECT = Path.of("..").toAbsolutePath().normalize();
    static final String NS = "observed";
    static final String SOURCE = "observed";
    static final String TOKEN = "e2e-observability-token";
    static final String ZERO = "0".repeat(40);
    static final Duration CONVERGE = Duration.ofMinutes(3);
    static final Path KUBECTL = Path.of(System.getProperty("user.home"), ".cache/conflux-ref/bin/kubectl");

    static OtlpTraceReceiver otlp;
    static SlackSink slack;
    static LocalInstallation conflux;
    static KubernetesClient client;
    static GitHubWebhook github;
    static Path repo;
    static String firstSha;
    static String hookPath;
    static Path work;

    @BeforeAll
    static void start() throws Exception {
        work = PROJECT.resolve("e2e/target/observability-" + System.currentTimeMillis());
        Path fixture = work.resolve("fixture");
        write(fixture.resolve("app/kustomization.yaml"), "resources: [configmap.yaml]\n");
        write(fixture.resolve("app/configmap.yaml"), configMap("1"));
        write(fixture.resolve("broken/kustomization.yaml"), "resources: [missing.yaml]\n");
        repo = work.resolve("git/" + SOURCE);
        firstSha = FixtureRepositories.create(fixture, repo, "main");

        otlp = new OtlpTraceReceiver();
        slack = new SlackSink();
        Map<String, String> tracing = Map.of(
                "quarkus.otel.sdk.disabled", "false",
                "quarkus.otel.exporter.otlp.traces.protocol", "http/protobuf",
                "quarkus.otel.exporter.otlp.traces.endpoint", otlp.endpoint(),
                "quarkus.otel.bsp.schedule.delay", "200ms",
                "quarkus.log.console.json.enabled", "true");
        // a start bound, not an assertion: on the shared 2-core machine a service took 184 s to start (as
        // BootstrappedRepositoryEndToEndTest, which also starts its own installation)
        conflux = LocalInstallation.start(new LocalInstallation.Options(PROJECT, work,
                Map.of("https://git.conflux.local/", work.resolve("git").toUri().toString()), null, Map.of(),
                Duration.ofMinutes(6)).withServiceProperties(tracing));
        client = conflux.client();
        apply("""
                apiVersion: v1
                kind: Namespace
                metadata: {name: %s}
                """.formatted(NS));
        Bootstrap.slackAlert(client, NS, slack.url(), List.of(NS));
        Bootstrap.githubReceiver(client, NS, "github", TOKEN, List.of(SOURCE));
        apply("""
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: GitRepository
                metadata: {name: %s, namespace: %s}
                spec:
                  interval: 10m
                  url: https://git.conflux.local/%s
                  ref: {branch: main}
                """.formatted(SOURCE, NS, SOURCE));
        kustomization("app", "./app");
        kustomization("broken", "./broken");
        String path = await().atMost(Duration.ofMinutes(1)).until(() -> {
            Receiver r = client.resources(Receiver.class).inNamespace(NS).withName("github").get();
            return r == null || r.getStatus() == null ? null : r.getStatus().webhookPath();
        }, p -> p != null);
        hookPath = path;
        github = new GitHubWebhook("http://127.0.0.1:" + conflux.service("webhook-receiver").httpPort() + path, TOKEN);
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(lastApplied("app")).isEqualTo("main@sha1:" + firstSha));
    }

    @AfterAll
    static void stop() {
        if (conflux != null) {
            conflux.close();
        }
        if (slack != null) {
            slack.close();
        }
        if (otlp != null) {
            otlp.close();
        }
    }

    @Test
    @Order(1)
    void onePushIsOneTraceFromTheWebhookThroughRenderAndApplyToTheNotification() throws Exception {
        write(repo.resolve("app/configmap.yaml"), configMap("2"));
        String sha = FixtureRepositories.commitAll(repo, "version 2");
        assertThat(github.send("push", UUID.randomUUID().toString(),
                GitHubWebhook.push("conflux/" + SOURCE, "main", firstSha, sha)).statusCode()).isEqualTo(200);
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(lastApplied("app")).isEqualTo("main@sha1:" + sha));

        // the webhook request's server span is the root of the push's trace
        await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> assertThat(otlp.spans())
                .as("received: " + summary(otlp.spans()) + " undecodable: " + otlp.failures())
                .anySatisfy(s -> assertThat(s.service() + " " + s.kind() + " " + s.name())
                        .startsWith("conflux-webhook-receiver SPAN_KIND_SERVER").contains("/hook")));
        ReceivedSpan request = otlp.spans().stream()
                .filter(s -> s.service().equals("conflux-webhook-receiver") && s.kind().equals("SPAN_KIND_SERVER")
                        && s.name().contains("/hook")).findFirst().orElseThrow();
        assertThat(request.parentSpanId()).as("the webhook request starts the trace").isEmpty();
        String digest = hookPath.substring(hookPath.lastIndexOf('/') + 1);
        assertThat(request.attributes().values()).as("the hook's digest is not exported")
                .noneSatisfy(v -> assertThat(v).contains(digest));
        String traceId = request.traceId();
        String object = "Kustomization/" + NS + "/app";

        // wait until the whole chain, down to the delivery to Slack, is exported, and every span's parent too: a
        // child ends (and is exported) before its parent, which may still be open when the delivery arrives
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            List<ReceivedSpan> trace = otlp.trace(traceId);
            assertThat(trace).as(describe(trace)).anySatisfy(s -> assertThat(s.name() + " " + s.service() + " "
                    + s.attribute("conflux.object")).isEqualTo("deliver conflux-notifier " + object));
            Set<String> exported = trace.stream().map(ReceivedSpan::spanId).collect(Collectors.toSet());
            assertThat(trace).as(describe(trace)).allSatisfy(s -> assertThat(s.parentSpanId().isEmpty()
                    || exported.contains(s.parentSpanId())).as(s + ": parent exported").isTrue());
        });
        List<ReceivedSpan> trace = otlp.trace(traceId);
        String shown = describe(trace);
        assertThat(otlp.failures()).isEmpty();
        assertThat(trace.stream().map(ReceivedSpan::service).collect(Collectors.toSet())).as(shown)
                .containsExactlyInAnyOrder("conflux-webhook-receiver", "conflux-renderer", "conflux-applier",
                        "conflux-notifier");
        Set<String> ids = trace.stream().map(ReceivedSpan::spanId).collect(Collectors.toSet());
        assertThat(trace).as("every span's parent is a span of the trace: " + shown)
                .allSatisfy(s -> assertThat(s.parentSpanId().isEmpty() ? request.spanId() : s.parentSpanId())
                        .isIn(ids));
        assertThat(trace.stream().filter(s -> s.parentSpanId().isEmpty()).toList()).as(shown).containsExactly(request);

        // the hops, each the parent of the next: receiver → renderer → applier → notifier
        ReceivedSpan reconcile = only(trace, "conflux-webhook-receiver", "conflux.reconcile-requests process",
                "GitRepository/" + NS + "/" + SOURCE, shown);
        assertThat(ancestors(trace, reconcile)).as(shown).contains(request);
        ReceivedSpan revision = only(trace, "conflux-renderer", "conflux.source-revisions process",
                "GitRepository/" + NS + "/" + SOURCE, shown);
        assertThat(ancestors(trace, revision)).as(shown).contains(reconcile);
        ReceivedSpan render = only(trace, "conflux-renderer", "render", object, shown);
        assertThat(ancestors(trace, render)).as(shown).contains(revision);
        ReceivedSpan rendered = only(trace, "conflux-applier", "conflux.render-results process", object, shown);
        assertThat(rendered.parentSpanId()).as("the render result's record carries the render span: " + shown)
                .isEqualTo(render.spanId());
        ReceivedSpan apply = only(trace, "conflux-applier", "apply", object, shown);
        assertThat(apply.parentSpanId()).as(shown).isEqualTo(rendered.spanId());
        List<ReceivedSpan> notified = trace.stream().filter(s -> s.service().equals("conflux-notifier")
                && s.name().equals("conflux.events process") && s.attribute("conflux.object").equals(object)).toList();
        assertThat(notified).as(shown).isNotEmpty()
                .allSatisfy(s -> assertThat(s.parentSpanId()).as("the event's record carries the apply span")
                        .isEqualTo(apply.spanId()));
        Set<String> notifiedIds = notified.stream().map(ReceivedSpan::spanId).collect(Collectors.toSet());
        assertThat(trace.stream().filter(s -> s.name().equals("deliver")
                && s.attribute("conflux.object").equals(object)).toList()).as(shown).isNotEmpty()
                .allSatisfy(d -> assertThat(d.parentSpanId()).as("a delivery is a child of its event's record span")
                        .isIn(notifiedIds));
        // the push also renders the broken Kustomization of the same source: its delivery is in the trace too, under
        // its own event's record span
        Set<String> events = trace.stream().filter(s -> s.name().equals("conflux.events process"))
                .map(ReceivedSpan::spanId).collect(Collectors.toSet());
        assertThat(trace.stream().filter(s -> s.name().equals("deliver")).toList()).as(shown)
                .allSatisfy(d -> assertThat(d.parentSpanId()).isIn(events));
        assertThat(slack.about("app", NS)).as("the delivery the deliver span stands for")
                .anySatisfy(m -> assertThat(m.toString()).contains(sha));
    }

    @Test
    @Order(2)
    void kubectlEventsListsTheNotifiersEventForTheFailedKustomization() throws Exception {
        assumeTrue(Files.isExecutable(KUBECTL), "reference kubectl not installed at " + KUBECTL
                + " (bash ../shared/tools/install-reference-tools.sh)");
        Condition ready = await().atMost(CONVERGE).pollInterval(Duration.ofMillis(500)).until(() -> {
            Kustomization k = client.resources(Kustomization.class).inNamespace(NS).withName("broken").get();
            return k == null || k.getStatus() == null ? null
                    : Conditions.find(k.getStatus().conditions(), Condition.READY).orElse(null);
        }, c -> c != null && "False".equals(c.status()));
        assertThat(ready.message()).contains("missing.yaml");

        // the notifier writes the Event asynchronously (after the applier's event crossed Kafka)
        String out = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).until(
                () -> kubectl("events", "--for", "kustomization/broken", "-n", NS),
                o -> o.contains(ready.reason()));
        List<String> rows = out.lines().filter(l -> l.contains("Kustomization/broken")).toList();
        assertThat(rows).as(out).isNotEmpty().allSatisfy(row -> assertThat(row).contains("Warning")
                .contains(ready.reason()).contains("missing.yaml"));
        assertThat(out).as("only the failed Kustomization's events").doesNotContain("Kustomization/app");
        // the same store read through events.k8s.io/v1, as the notifier wrote it
        assertThat(kubectl("get", "events.v1.events.k8s.io", "-n", NS, "-o",
                "jsonpath={range .items[*]}{.regarding.name}/{.reason}{\"\\n\"}{end}"))
                .contains("broken/" + ready.reason());
    }

    @Test
    @Order(3)
    void servicesLogOneJsonObjectPerLineAndNoSecretValue() throws Exception {
        // the secrets of this installation: the Receiver's token, the control API's token, the bundle keys
        List<String> secrets = new java.util.ArrayList<>(List.of(TOKEN, conflux.controlToken()));
        for (String key : BundleKeyFile.keys(work).split(",")) {
            secrets.add(key.substring(key.indexOf(':') + 1));
        }
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        for (String service : LocalInstallation.SERVICES) {
            Path log = conflux.service(service).logFile();
            List<String> lines = Files.readAllLines(log).stream().filter(l -> !l.isBlank()).toList();
            assertThat(lines).as(log.toString()).isNotEmpty();
            for (String line : lines) {
                com.fasterxml.jackson.databind.JsonNode entry;
                try {
                    entry = json.readTree(line);
                } catch (IOException e) {
                    throw new AssertionError(log + ": a line that is not JSON: " + line, e);
                }
                assertThat(entry.isObject()).as(log + ": " + line).isTrue();
                assertThat(entry.has("timestamp") && entry.has("level") && entry.has("message"))
                        .as(log + ": " + line).isTrue();
            }
            String text = String.join("\n", lines);
            assertThat(secrets).as(log + " holds no secret value").allSatisfy(secret -> assertThat(text)
                    .doesNotContain(secret));
        }
    }

    private static String kubectl(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(KUBECTL.toString(), "--kubeconfig",
                conflux.kubeconfig().toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
        return out;
    }

    /** @return the one span of {@code service} named {@code name} on {@code object} in the trace */
    private static ReceivedSpan only(List<ReceivedSpan> trace, String service, String name, String object,
                                     String shown) {
        List<ReceivedSpan> found = trace.stream().filter(s -> s.service().equals(service) && s.name().equals(name)
                && s.attribute("conflux.object").equals(object)).toList();
        assertThat(found).as(service + " '" + name + "' " + object + " in " + shown).hasSize(1);
        return found.get(0);
    }

    /** @return the span's ancestors in the trace, nearest first */
    private static List<ReceivedSpan> ancestors(List<ReceivedSpan> trace, ReceivedSpan span) {
        Map<String, ReceivedSpan> byId = trace.stream().collect(Collectors.toMap(ReceivedSpan::spanId, s -> s,
                (a, b) -> a));
        List<ReceivedSpan> up = new java.util.ArrayList<>();
        for (ReceivedSpan s = byId.get(span.parentSpanId()); s != null && up.size() < trace.size();
             s = byId.get(s.parentSpanId())) {
            up.add(s);
        }
        return up;
    }

    /** @return how many spans of each service, kind and name were received */
    private static String summary(List<ReceivedSpan> spans) {
        return spans.stream().collect(Collectors.groupingBy(s -> s.service() + " " + s.kind() + " '" + s.name() + "'",
                java.util.TreeMap::new, Collectors.counting())).toString();
    }

    private static String describe(List<ReceivedSpan> trace) {
        return trace.stream().map(ReceivedSpan::toString).collect(Collectors.joining("\n  ", "\n  ", "\n"));
    }

    private static String lastApplied(String name) {
        Kustomization k = client.resources(Kustomization.class).inNamespace(NS).withName(name).get();
        return k == null || k.getStatus() == null ? null : k.getStatus().lastAppliedRevision();
    }

    private static String configMap(String version) {
        return """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: traced, namespace: %s}
                data: {version: "%s"}
                """.formatted(NS, version);
    }

    private static void kustomization(String name, String path) {
        apply("""
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata: {name: %s, namespace: %s}
                spec:
                  interval: 10m
                  path: %s
                  prune: true
                  sourceRef: {kind: GitRepository, name: %s}
                """.formatted(name, NS, path, SOURCE));
    }

    private static void apply(String yaml) {
        client.resource(yaml).fieldManager("conflux-e2e").forceConflicts().serverSideApply();
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}

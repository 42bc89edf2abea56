package io.conflux.applier.release;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.applier.apply.HealthChecker;
import io.conflux.applier.apply.InventoryEntry;
import io.conflux.applier.apply.ObjectApplier;
import io.conflux.embedded.InMemoryKubernetes;
import io.conflux.embedded.WorkloadController;
import io.conflux.model.helm.HelmReleaseSpec;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Helm hooks and tests around installs, upgrades and rollbacks ({@link ReleaseHooks}, {@link HookRunner}) on the
 * in-memory API server, whose {@link WorkloadController} completes Jobs and Pods, or fails those annotated
 * {@code embedded.conflux.io/outcome: Failed}.
 */
class ReleaseHooksTest {
    /** The wait of wt-helm's lifecycle stays on: the objects here are ConfigMaps, Current at once. */
    private static final ReleaseOptions OPTIONS = ReleaseOptions.install(null, "10s");
    static InMemoryKubernetes cluster;
    static KubernetesClient client;
    static WorkloadController workloads;
    static final Remediation NONE = new Remediation(0, false, Remediation.UNINSTALL);
    static final Remediation ROLLBACK = Remediation.upgrade(Map.of("remediation", Map.of("retries", 1)));

    @BeforeAll
    static void start() {
        cluster = InMemoryKubernetes.start();
        client = cluster.client();
        workloads = WorkloadController.start(client, Duration.ZERO);
    }

    @AfterAll
    static void stop() {
        workloads.close();
        cluster.close();
    }

    @Test
    void installRunsPreInstallHooksByWeightThenNameBeforeTheObjectsAndPostInstallAfter() {
        String ns = namespace("hooks-install");
        List<Map<String, Object>> hooks = List.of(
                job(ns, "migrate-b", "pre-install", "5", null, false),
                job(ns, "migrate-a", "pre-install", "5", null, false),
                job(ns, "early", "pre-install", "-1", null, false),
                configMap(ns, "announce", "post-install", null));
        ReleaseHooks releaseHooks = hooks(hooks, List.of(), spec(""));
        ReleaseOutcome installed = run(ns, releaseHooks).run(ReleaseAction.INSTALL, List.of(plain(ns, "settings", "1")),
                null, List.of(), ReleaseCounters.NONE, NONE, NONE, OPTIONS);

        assertThat(installed.released()).as(installed.attempt().error()).isTrue();
        assertThat(releaseHooks.results()).extracting(HookRunner.Result::event).containsExactly("pre-install", "post-install");
        assertThat(releaseHooks.results().get(0).executions()).extracting(e -> e.hook().name())
                .containsExactly("early", "migrate-a", "migrate-b");
        // every pre-install Job completed before the release's ConfigMap was created
        long settings = version(client.configMaps().inNamespace(ns).withName("settings").get().getMetadata().getResourceVersion());
        for (String job : List.of("early", "migrate-a", "migrate-b")) {
            assertThat(version(client.batch().v1().jobs().inNamespace(ns).withName(job).get().getMetadata().getResourceVersion()))
                    .isLessThan(settings);
        }
        assertThat(version(client.configMaps().inNamespace(ns).withName("announce").get().getMetadata().getResourceVersion()))
                .isGreaterThan(settings);
        // hooks are not the release's objects: never in the inventory, so never pruned
        assertThat(installed.inventory()).extracting(InventoryEntry::name).containsExactly("settings");
    }

    @Test
    void hookSucceededDeletesTheHookAndBeforeHookCreationReplacesTheLastOne() {
        String ns = namespace("hooks-upgrade");
        List<Map<String, Object>> hooks = List.of(job(ns, "migrate", "pre-upgrade", null, null, false),
                job(ns, "notify", "post-upgrade", null, "hook-succeeded", false));
        ReleaseOutcome installed = run(ns, hooks(hooks, List.of(), spec(""))).run(ReleaseAction.INSTALL,
                List.of(plain(ns, "settings", "1")), null, List.of(), ReleaseCounters.NONE, NONE, NONE, OPTIONS);
        assertThat(client.batch().v1().jobs().inNamespace(ns).withName("migrate").get()).isNull(); // not an install hook

        ReleaseOutcome upgraded = run(ns, hooks(hooks, List.of(), spec(""))).run(ReleaseAction.UPGRADE,
                List.of(plain(ns, "settings", "2")), null, installed.inventory(), ReleaseCounters.NONE, NONE, NONE, OPTIONS);
        assertThat(upgraded.released()).as(upgraded.attempt().error()).isTrue();
        String firstUid = client.batch().v1().jobs().inNamespace(ns).withName("migrate").get().getMetadata().getUid();
        assertThat(client.batch().v1().jobs().inNamespace(ns).withName("notify").get()).isNull();

        run(ns, hooks(hooks, List.of(), spec(""))).run(ReleaseAction.UPGRADE, List.of(plain(ns, "settings", "3")), null,
                upgraded.inventory(), ReleaseCounters.NONE, NONE, NONE, OPTIONS);
        assertThat(client.batch().v1().jobs().inNamespace(ns).withName("migrate").get().getMetadata().getUid())
                .isNotEqualTo(firstUid);
    }

    @Test
    void aFailedPreUpgradeHookFailsTheUpgradeBeforeAnythingIsAppliedAndTheRollbackRunsItsHooks() {
        String ns = namespace("hooks-fail");
        List<Map<String, Object>> v1Hooks = List.of(configMap(ns, "rolled-back", "post-rollback", null));
        ReleaseOutcome installed = run(ns, hooks(v1Hooks, List.of(), spec(""))).run(ReleaseAction.INSTALL,
                List.of(plain(ns, "settings", "1")), null, List.of(), ReleaseCounters.NONE, NONE, ROLLBACK, OPTIONS);
        List<Map<String, Object>> v2Hooks = List.of(job(ns, "migrate", "pre-upgrade", null, "hook-failed", true));
        List<Map<String, Object>> v1 = List.of(plain(ns, "settings", "1"));

        ReleaseOutcome failed = run(ns, hooks(v2Hooks, v1Hooks, spec(""))).run(ReleaseAction.UPGRADE,
                List.of(plain(ns, "settings", "2"), plain(ns, "added", "2")), v1, installed.inventory(),
                ReleaseCounters.NONE, NONE, ROLLBACK, OPTIONS);

        assertThat(failed.released()).isFalse();
        assertThat(failed.attempt().error()).isEqualTo("pre-upgrade hook Job/" + ns
                + "/migrate failed: job failed: BackoffLimitExceeded");
        assertThat(failed.remediationReason()).isEqualTo(HelmReasons.ROLLBACK_SUCCEEDED);
        assertThat(client.configMaps().inNamespace(ns).withName("added").get()).isNull();
        assertThat(client.configMaps().inNamespace(ns).withName("settings").get().getData()).containsEntry("k", "1");
        assertThat(client.batch().v1().jobs().inNamespace(ns).withName("migrate").get()).isNull(); // hook-failed
        assertThat(client.configMaps().inNamespace(ns).withName("rolled-back").get()).isNotNull(); // post-rollback
    }

    @Test
    void disableHooksSkipsThem() {
        String ns = namespace("hooks-disabled");
        ReleaseHooks releaseHooks = hooks(List.of(job(ns, "migrate", "pre-install", null, null, true)), List.of(),
                spec("install: {disableHooks: true}"));
        ReleaseOutcome installed = run(ns, releaseHooks).run(ReleaseAction.INSTALL, List.of(plain(ns, "settings", "1")),
                null, List.of(), ReleaseCounters.NONE, NONE, NONE, OPTIONS);
        assertThat(installed.released()).isTrue();
        assertThat(releaseHooks.results()).isEmpty();
        assertThat(client.batch().v1().jobs().inNamespace(ns).withName("migrate").get()).isNull();
    }

    @Test
    void testHooksRunAfterTheReleaseWhenEnabledFilteredAndAFailureFailsItUnlessIgnored() {
        String ns = namespace("hooks-test");
        List<Map<String, Object>> hooks = List.of(pod(ns, "test-connection", false), pod(ns, "test-broken", true),
                job(ns, "not-a-test", "pre-install", null, null, false));
        ReleaseHooks passing = hooks(hooks, List.of(), spec("test: {enable: true, filters: [{name: test-broken, exclude: true}]}"));
        ReleaseOutcome installed = run(ns, passing).run(ReleaseAction.INSTALL, List.of(plain(ns, "settings", "1")), null,
                List.of(), ReleaseCounters.NONE, NONE, NONE, OPTIONS);
        assertThat(installed.released()).isTrue();
        assertThat(passing.tests()).hasValueSatisfying(t -> {
            assertThat(t.succeeded()).isTrue();
            assertThat(t.result().executions()).extracting(e -> e.hook().name()).containsExactly("test-connection");
        });

        ReleaseHooks failing = hooks(hooks, List.of(), spec("test: {enable: true}"));
        ReleaseOutcome upgraded = run(ns, failing).run(ReleaseAction.UPGRADE, List.of(plain(ns, "settings", "2")), null,
                installed.inventory(), ReleaseCounters.NONE, NONE, NONE, OPTIONS);
        assertThat(upgraded.released()).isFalse();
        assertThat(upgraded.attempt().error()).isEqualTo("Helm test failed: test hook Pod/" + ns + "/test-broken failed: pod failed");

        ReleaseHooks ignored = hooks(hooks, List.of(), spec("test: {enable: true, ignoreFailures: true}"));
        ReleaseOutcome tolerated = run(ns, ignored).run(ReleaseAction.UPGRADE, List.of(plain(ns, "settings", "3")), null,
                upgraded.inventory(), ReleaseCounters.NONE, NONE, NONE, OPTIONS);
        assertThat(tolerated.released()).isTrue();
        assertThat(ignored.tests()).hasValueSatisfying(t -> assertThat(t.succeeded()).isFalse());

        ReleaseHooks off = hooks(hooks, List.of(), spec(""));
        run(ns, off).run(ReleaseAction.UPGRADE, List.of(plain(ns, "settings", "4")), null, tolerated.inventory(),
                ReleaseCounters.NONE, NONE, NONE, OPTIONS);
        assertThat(off.tests()).isEmpty();
    }

    private static ReleaseHooks hooks(List<Map<String, Object>> hooks, List<Map<String, Object>> previous, HelmReleaseSpec spec) {
        return new ReleaseHooks(new HookRunner(client, "conflux", Duration.ofMillis(20)), hooks, previous,
                ReleaseHooks.Settings.of(spec), Duration.ofSeconds(30));
    }

    private static HelmReleaseSpec spec(String yaml) {
        return Serialization.unmarshal(yaml.isEmpty() ? "{}" : yaml, HelmReleaseSpec.class);
    }

    private static ReleaseRun run(String ns, ReleaseHooks hooks) {
        return new ReleaseRun(new ObjectApplier(client, "conflux"), new HealthChecker(client, Duration.ofMillis(20)),
                Map.of("helm.toolkit.fluxcd.io/name", "app", "helm.toolkit.fluxcd.io/namespace", ns), hooks);
    }

    private static long version(String resourceVersion) {
        return Long.parseLong(resourceVersion);
    }

    private static String namespace(String name) {
        client.resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
        return name;
    }

    private static Map<String, Object> plain(String ns, String name, String value) {
        return Map.of("apiVersion", "v1", "kind", "ConfigMap", "metadata", Map.of("name", name, "namespace", ns),
                "data", Map.of("k", value));
    }

    private static Map<String, Object> annotations(String event, String weight, String deletePolicy) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("helm.sh/hook", event);
        if (weight != null) {
            a.put("helm.sh/hook-weight", weight);
        }
        if (deletePolicy != null) {
            a.put("helm.sh/hook-delete-policy", deletePolicy);
        }
        return a;
    }

    private static Map<String, Object> configMap(String ns, String name, String event, String deletePolicy) {
        return Map.of("apiVersion", "v1", "kind", "ConfigMap", "metadata", Map.of("name", name, "namespace", ns,
                "annotations", annotations(event, null, deletePolicy)), "data", Map.of("k", "v"));
    }

    private static Map<String, Object> job(String ns, String name, String event, String weight, String deletePolicy,
                                           boolean fails) {
        Map<String, Object> template = Map.of("metadata", Map.of("annotations",
                        fails ? Map.of(WorkloadController.OUTCOME_ANNOTATION, "Failed") : Map.of()),
                "spec", Map.of("restartPolicy", "Never", "containers", List.of(Map.of("name", "m", "image", "migrate:1"))));
        return Map.of("apiVersion", "batch/v1", "kind", "Job", "metadata", Map.of("name", name, "namespace", ns,
                "annotations", annotations(event, weight, deletePolicy)), "spec", Map.of("template", template));
    }

    private static Map<String, Object> pod(String ns, String name, boolean fails) {
        Map<String, Object> a = annotations("test", null, null);
        if (fails) {
            a.put(WorkloadController.OUTCOME_ANNOTATION, "Failed");
        }
        return Map.of("apiVersion", "v1", "kind", "Pod", "metadata", Map.of("name", name, "namespace", ns, "annotations", a),
                "spec", Map.of("restartPolicy", "Never", "containers", List.of(Map.of("name", "t", "image", "busybox"))));
    }
}

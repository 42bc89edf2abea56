package io.conflux.applier.release;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.applier.apply.ApplyOptions;
import io.conflux.applier.apply.ApplyResult;
import io.conflux.applier.apply.CrdPolicy;
import io.conflux.applier.apply.HealthChecker;
import io.conflux.applier.apply.InventoryEntry;
import io.conflux.applier.apply.ObjectApplier;
import io.conflux.embedded.InMemoryKubernetes;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Install and upgrade with helm-controller's remediation, on the in-memory API server. */
class ReleaseRunTest {
    static InMemoryKubernetes cluster;
    static KubernetesClient client;
    static final Remediation NONE = new Remediation(0, false, Remediation.UNINSTALL);
    /** An upgrade as the tests before waiting existed ran it: no wait (the in-memory cluster runs no Job). */
    static final ReleaseOptions NO_WAIT = new ReleaseOptions(CrdPolicy.SKIP, false, false, false, false, Duration.ofSeconds(10));

    @BeforeAll
    static void start() {
        cluster = InMemoryKubernetes.start();
        client = cluster.client();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void failedUpgradeRollsBackWhileRetriesLastThenStalls() {
        String ns = namespace("rollback");
        ReleaseRun run = run(ns);
        List<Map<String, Object>> v1 = List.of(configMap(ns, "settings", "1"), job(ns, "migrate:1"));
        List<Map<String, Object>> v2 = List.of(configMap(ns, "settings", "2"), configMap(ns, "added", "2"), job(ns, "migrate:2"));
        Remediation upgrade = Remediation.upgrade(Map.of("remediation", Map.of("retries", 1)));

        ReleaseOutcome installed = run.run(ReleaseAction.INSTALL, v1, null, List.of(), ReleaseCounters.NONE, NONE, upgrade, NO_WAIT);
        assertThat(installed.released()).isTrue();
        assertThat(installed.readyReason()).isEqualTo(HelmReasons.INSTALL_SUCCEEDED);

        ReleaseOutcome first = run.run(ReleaseAction.UPGRADE, v2, v1, installed.inventory(), ReleaseCounters.NONE, NONE, upgrade, NO_WAIT);
        assertThat(first.released()).isFalse();
        assertThat(first.attempt().error()).contains("Job/" + ns + "/migrate apply failed").contains("field is immutable");
        assertThat(first.releaseReason()).isEqualTo(HelmReasons.UPGRADE_FAILED);
        assertThat(first.remediationReason()).isEqualTo(HelmReasons.ROLLBACK_SUCCEEDED);
        assertThat(first.readyReason()).isEqualTo(HelmReasons.ROLLBACK_SUCCEEDED);
        assertThat(first.counters()).isEqualTo(new ReleaseCounters(1, 0, 1));
        assertThat(first.retry()).isTrue();
        assertThat(first.stalled()).isFalse();
        // the previous release is back: its value restored, the object only the failed upgrade added pruned
        assertThat(client.configMaps().inNamespace(ns).withName("settings").get().getData()).containsEntry("k", "1");
        assertThat(client.configMaps().inNamespace(ns).withName("added").get()).isNull();
        assertThat(first.inventory()).extracting(InventoryEntry::name).containsExactlyInAnyOrder("settings", "migrate");
        assertThat(first.remediationMessage(ns + "/app", "1.0.0"))
                .isEqualTo("Helm rollback to previous release " + ns + "/app with chart 1.0.0 succeeded");

        ReleaseOutcome second = run.run(ReleaseAction.UPGRADE, v2, v1, first.inventory(), first.counters(), NONE, upgrade, NO_WAIT);
        assertThat(second.remediationReason()).isEqualTo(HelmReasons.ROLLBACK_SUCCEEDED);
        assertThat(second.retry()).isFalse();
        assertThat(second.stalled()).isTrue();
        assertThat(second.stalledMessage()).isEqualTo("Failed to upgrade after 2 attempt(s)");
        assertThat(client.configMaps().inNamespace(ns).withName("settings").get().getData()).containsEntry("k", "1");
    }

    @Test
    void withoutRetriesAFailedUpgradeIsNotRemediatedAndStalls() {
        String ns = namespace("noretry");
        ReleaseRun run = run(ns);
        List<Map<String, Object>> v1 = List.of(job(ns, "migrate:1"));
        Remediation upgrade = Remediation.upgrade(null);
        ReleaseOutcome installed = run.run(ReleaseAction.INSTALL, v1, null, List.of(), ReleaseCounters.NONE, NONE, upgrade, NO_WAIT);
        ReleaseOutcome failed = run.run(ReleaseAction.UPGRADE, List.of(configMap(ns, "added", "2"), job(ns, "migrate:2")), v1,
                installed.inventory(), ReleaseCounters.NONE, NONE, upgrade, NO_WAIT);
        assertThat(failed.remediation()).isNull();
        assertThat(failed.readyReason()).isEqualTo(HelmReasons.UPGRADE_FAILED);
        assertThat(failed.stalled()).isTrue();
        assertThat(failed.releaseMessage(ns + "/app", "2.0.0")).startsWith("Helm upgrade failed for release " + ns
                + "/app with chart 2.0.0: Job/" + ns + "/migrate apply failed");
        // what the failed upgrade applied stays and stays owned, as a failed Helm release's objects do
        assertThat(failed.inventory()).extracting(InventoryEntry::name).contains("added", "migrate");
    }

    @Test
    void failedInstallWithRetriesIsUninstalledAndRetried() {
        String ns = namespace("install");
        ReleaseRun run = run(ns);
        Remediation install = Remediation.install(Map.of("remediation", Map.of("retries", 1)));
        List<Map<String, Object>> broken = List.of(configMap(ns, "settings", "1"),
                Map.of("apiVersion", "example.com/v1", "kind", "Widget", "metadata", Map.of("name", "w", "namespace", ns)));
        ReleaseOutcome first = run.run(ReleaseAction.INSTALL, broken, null, List.of(), ReleaseCounters.NONE, install, NONE, NO_WAIT);
        assertThat(first.releaseReason()).isEqualTo(HelmReasons.INSTALL_FAILED);
        assertThat(first.remediationReason()).isEqualTo(HelmReasons.UNINSTALL_SUCCEEDED);
        assertThat(first.uninstalled()).isTrue();
        assertThat(first.retry()).isTrue();
        assertThat(first.inventory()).isEmpty();
        assertThat(client.configMaps().inNamespace(ns).withName("settings").get()).isNull();

        ReleaseOutcome second = run.run(ReleaseAction.INSTALL, broken, null, first.inventory(), first.counters(), install, NONE, NO_WAIT);
        assertThat(second.counters().installFailures()).isEqualTo(2);
        assertThat(second.remediation()).isNull();
        assertThat(second.stalled()).isTrue();
        assertThat(second.readyReason()).isEqualTo(HelmReasons.INSTALL_FAILED);
        assertThat(second.stalledMessage()).isEqualTo("Failed to install after 2 attempt(s)");
        ApplyResult fixed = new ObjectApplier(client, "conflux").apply(List.of(configMap(ns, "settings", "1")),
                Map.of(), second.inventory(), true);
        assertThat(fixed.succeeded()).isTrue();
    }

    @Test
    void crdsAndKeepObjectsAreNeverPrunedWhileTheReleaseLetsGoOfThem() {
        String ns = namespace("keep");
        ReleaseRun run = run(ns);
        ReleaseOptions install = new ReleaseOptions(CrdPolicy.CREATE, false, false, false, false, Duration.ofSeconds(10));
        Map<String, Object> kept = Map.of("apiVersion", "v1", "kind", "ConfigMap", "metadata", Map.of("name", "kept",
                "namespace", ns, "annotations", Map.of("helm.sh/resource-policy", "keep")), "data", Map.of("k", "1"));
        List<Map<String, Object>> v1 = List.of(crd("gizmos", "Gizmo", "1"), kept, configMap(ns, "plain", "1"),
                Map.of("apiVersion", "example.com/v1", "kind", "Gizmo", "metadata", Map.of("name", "g", "namespace", ns)));
        ReleaseOutcome installed = run.run(ReleaseAction.INSTALL, v1, null, List.of(), ReleaseCounters.NONE, NONE, NONE, install);
        assertThat(installed.released()).isTrue();
        assertThat(installed.inventory()).extracting(InventoryEntry::name).contains("gizmos.example.com", "kept", "plain", "g");

        // the uninstall of a deleted HelmRelease (BundleApplier.prune): everything goes but the CRD and the keep object
        ApplyResult uninstall = new ObjectApplier(client, "conflux").apply(List.of(), OWNER, installed.inventory(),
                ApplyOptions.helm(true, false, Duration.ofSeconds(10), CrdPolicy.SKIP));
        assertThat(uninstall.succeeded()).isTrue();
        assertThat(client.apiextensions().v1().customResourceDefinitions().withName("gizmos.example.com").get()).isNotNull();
        assertThat(client.configMaps().inNamespace(ns).withName("kept").get()).isNotNull();
        assertThat(client.configMaps().inNamespace(ns).withName("plain").get()).isNull();
        assertThat(client.genericKubernetesResources("example.com/v1", "Gizmo").inNamespace(ns).withName("g").get()).isNull();
        assertThat(uninstall.inventory()).isEmpty();
        assertThat(uninstall.changeSet()).contains("CustomResourceDefinition/gizmos.example.com skipped")
                .contains("ConfigMap/" + ns + "/kept skipped");

        // a Kustomization's prune (no Helm rules) would have deleted them: the rules are the release's alone
        ApplyResult kustomizePrune = new ObjectApplier(client, "conflux").apply(List.of(), OWNER,
                List.of(InventoryEntry.of("v1", "ConfigMap", ns, "kept")), true);
        assertThat(kustomizePrune.succeeded()).isTrue();
        assertThat(client.configMaps().inNamespace(ns).withName("kept").get()).isNull();
    }

    @Test
    void crdPoliciesSkipCreateAndCreateReplace() {
        String ns = namespace("crdpolicy");
        ReleaseRun run = run(ns);
        String name = "sprockets.example.com";
        ReleaseOutcome skipped = run.run(ReleaseAction.INSTALL, List.of(crd("sprockets", "Sprocket", "1")), null, List.of(),
                ReleaseCounters.NONE, NONE, NONE, options(CrdPolicy.SKIP));
        assertThat(skipped.released()).isTrue();
        assertThat(client.apiextensions().v1().customResourceDefinitions().withName(name).get()).isNull();
        assertThat(skipped.inventory()).isEmpty();

        ReleaseOutcome created = run.run(ReleaseAction.INSTALL, List.of(crd("sprockets", "Sprocket", "1")), null, List.of(),
                ReleaseCounters.NONE, NONE, NONE, options(CrdPolicy.CREATE));
        assertThat(crdRevision(name)).isEqualTo("1");

        ReleaseOutcome notReplaced = run.run(ReleaseAction.UPGRADE, List.of(crd("sprockets", "Sprocket", "2")), null,
                created.inventory(), ReleaseCounters.NONE, NONE, NONE, options(CrdPolicy.CREATE));
        assertThat(notReplaced.released()).isTrue();
        assertThat(crdRevision(name)).isEqualTo("1");

        ReleaseOutcome replaced = run.run(ReleaseAction.UPGRADE, List.of(crd("sprockets", "Sprocket", "2")), null,
                notReplaced.inventory(), ReleaseCounters.NONE, NONE, NONE, options(CrdPolicy.CREATE_REPLACE));
        assertThat(replaced.released()).isTrue();
        assertThat(crdRevision(name)).isEqualTo("2");

        // the upgrade default (Skip) neither updates nor deletes the CRD the release installed
        ReleaseOutcome upgradeDefault = run.run(ReleaseAction.UPGRADE, List.of(crd("sprockets", "Sprocket", "3")), null,
                replaced.inventory(), ReleaseCounters.NONE, NONE, NONE, ReleaseOptions.upgrade(null, "10s"));
        assertThat(upgradeDefault.released()).isTrue();
        assertThat(crdRevision(name)).isEqualTo("2");
    }

    @Test
    void anUpgradeWhoseObjectsNeverBecomeReadyFailsItsHealthCheckAndIsRolledBack() {
        String ns = namespace("health");
        ReleaseRun run = run(ns);
        Remediation upgrade = Remediation.upgrade(Map.of("remediation", Map.of("retries", 1)));
        List<Map<String, Object>> v1 = List.of(configMap(ns, "settings", "1"));
        ReleaseOutcome installed = run.run(ReleaseAction.INSTALL, v1, null, List.of(), ReleaseCounters.NONE, NONE, upgrade,
                ReleaseOptions.install(null, "10s"));
        assertThat(installed.released()).isTrue(); // a ConfigMap is Current once it exists

        // no kubelet runs on the in-memory cluster: the Deployment never becomes available
        List<Map<String, Object>> v2 = List.of(configMap(ns, "settings", "2"), deployment(ns, "web"));
        ReleaseOutcome failed = run.run(ReleaseAction.UPGRADE, v2, v1, installed.inventory(), ReleaseCounters.NONE, NONE,
                upgrade, ReleaseOptions.upgrade(Map.of("timeout", "1s"), null));
        assertThat(failed.released()).isFalse();
        assertThat(failed.attempt().reason()).isEqualTo("HealthCheckFailed");
        assertThat(failed.releaseReason()).isEqualTo(HelmReasons.UPGRADE_FAILED);
        assertThat(failed.releaseMessage(ns + "/app", "2.0.0")).isEqualTo("Helm upgrade failed for release " + ns
                + "/app with chart 2.0.0: health check failed after 1s: timeout waiting for: [Deployment/" + ns
                + "/web status: 'InProgress']");
        assertThat(failed.remediationReason()).isEqualTo(HelmReasons.ROLLBACK_SUCCEEDED);
        assertThat(failed.retry()).isTrue();
        assertThat(client.apps().deployments().inNamespace(ns).withName("web").get()).isNull();
        assertThat(client.configMaps().inNamespace(ns).withName("settings").get().getData()).containsEntry("k", "1");

        // disableWait: the same upgrade is released without waiting
        ReleaseOutcome unwaited = run.run(ReleaseAction.UPGRADE, v2, v1, failed.inventory(), ReleaseCounters.NONE, NONE,
                upgrade, ReleaseOptions.upgrade(Map.of("timeout", "300ms", "disableWait", true), null));
        assertThat(unwaited.released()).isTrue();
    }

    @Test
    void jobsAreAwaitedUnlessDisableWaitForJobs() {
        String ns = namespace("jobs");
        ReleaseRun run = run(ns);
        ReleaseOutcome unwaited = run.run(ReleaseAction.INSTALL, List.of(configMap(ns, "settings", "1"), job(ns, "m:1")),
                null, List.of(), ReleaseCounters.NONE, NONE, NONE,
                ReleaseOptions.install(Map.of("disableWaitForJobs", true, "timeout", "300ms"), null));
        assertThat(unwaited.released()).isTrue();

        ReleaseOutcome waited = run.run(ReleaseAction.UPGRADE, List.of(configMap(ns, "settings", "2"), job(ns, "m:1")),
                null, unwaited.inventory(), ReleaseCounters.NONE, NONE, NONE,
                ReleaseOptions.upgrade(Map.of("timeout", "300ms"), null));
        assertThat(waited.released()).isFalse();
        assertThat(waited.attempt().error()).contains("Job/" + ns + "/migrate status: 'InProgress'");
    }

    @Test
    void cleanupOnFailDeletesWhatTheFailedUpgradeCreatedAndForceRecreates() {
        String ns = namespace("cleanup");
        ReleaseRun run = run(ns);
        List<Map<String, Object>> v1 = List.of(job(ns, "migrate:1"));
        ReleaseOutcome installed = run.run(ReleaseAction.INSTALL, v1, null, List.of(), ReleaseCounters.NONE, NONE, NONE, NO_WAIT);
        ReleaseOptions cleanup = ReleaseOptions.upgrade(Map.of("cleanupOnFail", true, "disableWait", true), "10s");
        ReleaseOutcome failed = run.run(ReleaseAction.UPGRADE, List.of(configMap(ns, "added", "2"), job(ns, "migrate:2")),
                v1, installed.inventory(), ReleaseCounters.NONE, NONE, NONE, cleanup);
        assertThat(failed.released()).isFalse();
        assertThat(failed.remediation()).isNull();
        assertThat(client.configMaps().inNamespace(ns).withName("added").get()).isNull();
        assertThat(failed.inventory()).extracting(InventoryEntry::name).containsExactly("migrate");

        ReleaseOptions force = ReleaseOptions.upgrade(Map.of("force", true, "disableWait", true), "10s");
        ReleaseOutcome forced = run.run(ReleaseAction.UPGRADE, List.of(job(ns, "migrate:2")), v1, failed.inventory(),
                ReleaseCounters.NONE, NONE, NONE, force);
        assertThat(forced.released()).isTrue();
        assertThat(client.batch().v1().jobs().inNamespace(ns).withName("migrate").get().getSpec().getTemplate().getSpec()
                .getContainers().get(0).getImage()).isEqualTo("migrate:2");
    }

    private static final Map<String, String> OWNER = Map.of("helm.toolkit.fluxcd.io/name", "app",
            "helm.toolkit.fluxcd.io/namespace", "keep");

    private static ReleaseOptions options(CrdPolicy crds) {
        return new ReleaseOptions(crds, false, false, false, false, Duration.ofSeconds(10));
    }

    private static String crdRevision(String name) {
        return client.apiextensions().v1().customResourceDefinitions().withName(name).get().getMetadata().getLabels()
                .get("revision");
    }

    private static Map<String, Object> crd(String plural, String kind, String revision) {
        return Map.of("apiVersion", "apiextensions.k8s.io/v1", "kind", "CustomResourceDefinition",
                "metadata", Map.of("name", plural + ".example.com", "labels", Map.of("revision", revision)),
                "spec", Map.of("group", "example.com", "scope", "Namespaced",
                        "names", Map.of("kind", kind, "listKind", kind + "List", "plural", plural,
                                "singular", kind.toLowerCase(java.util.Locale.ROOT)),
                        "versions", List.of(Map.of("name", "v1", "served", true, "storage", true,
                                "schema", Map.of("openAPIV3Schema", Map.of("type", "object",
                                        "x-kubernetes-preserve-unknown-fields", true))))));
    }

    private static Map<String, Object> deployment(String ns, String name) {
        return Map.of("apiVersion", "apps/v1", "kind", "Deployment", "metadata", Map.of("name", name, "namespace", ns),
                "spec", Map.of("replicas", 1, "selector", Map.of("matchLabels", Map.of("app", name)),
                        "template", Map.of("metadata", Map.of("labels", Map.of("app", name)),
                                "spec", Map.of("containers", List.of(Map.of("name", "c", "image", "nginx"))))));
    }

    private static ReleaseRun run(String ns) {
        return new ReleaseRun(new ObjectApplier(client, "conflux"), new HealthChecker(client, Duration.ofMillis(50)),
                Map.of("helm.toolkit.fluxcd.io/name", "app", "helm.toolkit.fluxcd.io/namespace", ns));
    }

    private static String namespace(String name) {
        client.resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
        return name;
    }

    private static Map<String, Object> configMap(String ns, String name, String value) {
        return Map.of("apiVersion", "v1", "kind", "ConfigMap", "metadata", Map.of("name", name, "namespace", ns),
                "data", Map.of("k", value));
    }

    private static Map<String, Object> job(String ns, String image) {
        return Map.of("apiVersion", "batch/v1", "kind", "Job", "metadata", Map.of("name", "migrate", "namespace", ns),
                "spec", Map.of("template", Map.of("spec", Map.of("restartPolicy", "Never",
                        "containers", List.of(Map.of("name", "m", "image", image))))));
    }
}

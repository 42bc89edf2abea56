package io.conflux.applier.release;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.applier.apply.ApplyResult;
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

        ReleaseOutcome installed = run.run(ReleaseAction.INSTALL, v1, null, List.of(), ReleaseCounters.NONE, NONE, upgrade);
        assertThat(installed.released()).isTrue();
        assertThat(installed.readyReason()).isEqualTo(HelmReasons.INSTALL_SUCCEEDED);

        ReleaseOutcome first = run.run(ReleaseAction.UPGRADE, v2, v1, installed.inventory(), ReleaseCounters.NONE, NONE, upgrade);
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

        ReleaseOutcome second = run.run(ReleaseAction.UPGRADE, v2, v1, first.inventory(), first.counters(), NONE, upgrade);
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
        ReleaseOutcome installed = run.run(ReleaseAction.INSTALL, v1, null, List.of(), ReleaseCounters.NONE, NONE, upgrade);
        ReleaseOutcome failed = run.run(ReleaseAction.UPGRADE, List.of(configMap(ns, "added", "2"), job(ns, "migrate:2")), v1,
                installed.inventory(), ReleaseCounters.NONE, NONE, upgrade);
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
        ReleaseOutcome first = run.run(ReleaseAction.INSTALL, broken, null, List.of(), ReleaseCounters.NONE, install, NONE);
        assertThat(first.releaseReason()).isEqualTo(HelmReasons.INSTALL_FAILED);
        assertThat(first.remediationReason()).isEqualTo(HelmReasons.UNINSTALL_SUCCEEDED);
        assertThat(first.uninstalled()).isTrue();
        assertThat(first.retry()).isTrue();
        assertThat(first.inventory()).isEmpty();
        assertThat(client.configMaps().inNamespace(ns).withName("settings").get()).isNull();

        ReleaseOutcome second = run.run(ReleaseAction.INSTALL, broken, null, first.inventory(), first.counters(), install, NONE);
        assertThat(second.counters().installFailures()).isEqualTo(2);
        assertThat(second.remediation()).isNull();
        assertThat(second.stalled()).isTrue();
        assertThat(second.readyReason()).isEqualTo(HelmReasons.INSTALL_FAILED);
        assertThat(second.stalledMessage()).isEqualTo("Failed to install after 2 attempt(s)");
        ApplyResult fixed = new ObjectApplier(client, "conflux").apply(List.of(configMap(ns, "settings", "1")),
                Map.of(), second.inventory(), true);
        assertThat(fixed.succeeded()).isTrue();
    }

    private static ReleaseRun run(String ns) {
        return new ReleaseRun(new ObjectApplier(client, "conflux"),
                Map.of("helm.toolkit.fluxcd.io/name", "app", "helm.toolkit.fluxcd.io/namespace", ns), Duration.ofSeconds(10));
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

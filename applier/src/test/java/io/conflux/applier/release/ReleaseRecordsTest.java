package io.conflux.applier.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.applier.apply.ApplyResult;
import io.conflux.embedded.InMemoryKubernetes;
import io.conflux.model.helm.ReleaseBundle;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Release records in Helm's storage format ({@link ReleaseRecords}) on the in-memory API server, read back by the
 * reference helm v4 ({@code ~/.cache/conflux-ref/bin/helm}, installed by {@code ../shared/tools/install-reference-tools.sh};
 * the helm checks are skipped without it) through the server's kubeconfig.
 */
class ReleaseRecordsTest {
    private static final TypeReference<Map<String, Object>> VALUES = new TypeReference<>() { };
    static final Path HELM = Path.of(System.getProperty("user.home"), ".cache/conflux-ref/bin/helm");
    static InMemoryKubernetes cluster;
    static KubernetesClient client;
    final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path tmp;

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
    void installUpgradeAndARolledBackUpgradeAreRevisionsTheHelmCliShows() throws Exception {
        String ns = namespace("records");
        ReleaseRecords records = new ReleaseRecords(client);
        ReleaseRecords.Target target = new ReleaseRecords.Target("app", ns, ns, 3);
        ReleaseBundle v1 = bundle(ns, "1.0.0", "one");
        ReleaseBundle v2 = bundle(ns, "1.1.0", "two");
        ReleaseBundle v3 = bundle(ns, "1.2.0", "three");

        assertThat(records.record(target, released(ReleaseAction.INSTALL), v1, null, List.of())).isEqualTo(1);
        assertThat(records.record(target, released(ReleaseAction.UPGRADE), v2, null, List.of())).isEqualTo(2);
        assertThat(records.record(target, rolledBack(), v3, v2, List.of())).isEqualTo(4);

        // maxHistory 3: revision 1 is gone; 2 superseded, 3 failed, 4 the rollback to 2
        List<Secret> stored = records.records(target);
        assertThat(stored).extracting(s -> s.getMetadata().getName()).containsExactly(
                "sh.helm.release.v1.app.v2", "sh.helm.release.v1.app.v3", "sh.helm.release.v1.app.v4");
        assertThat(stored).extracting(s -> s.getMetadata().getLabels().get("status"))
                .containsExactly("superseded", "failed", "deployed");
        assertThat(stored).allSatisfy(s -> {
            assertThat(s.getType()).isEqualTo("helm.sh/release.v1");
            assertThat(s.getMetadata().getLabels()).containsEntry("owner", "helm").containsEntry("name", "app");
        });
        Map<String, Object> latest = ReleaseRecords.decode(stored.get(2));
        assertThat(latest).containsEntry("version", 4).containsEntry("namespace", ns)
                .containsEntry("config", Map.of("message", "two"));
        @SuppressWarnings("unchecked")
        Map<String, Object> info = (Map<String, Object>) latest.get("info");
        assertThat(info).containsEntry("status", "deployed").containsEntry("description", "Rollback to 2");

        assumeTrue(Files.isExecutable(HELM), "reference helm not installed at " + HELM
                + " (bash ../shared/tools/install-reference-tools.sh)");
        Path kubeconfig = cluster.writeKubeconfig(tmp.resolve("kubeconfig"));
        List<Map<String, Object>> list = json.readValue(helm(kubeconfig, "list", "-n", ns, "-o", "json"), new TypeReference<>() { });
        assertThat(list).singleElement().satisfies(r -> {
            assertThat(r).containsEntry("name", "app").containsEntry("namespace", ns).containsEntry("revision", "4")
                    .containsEntry("status", "deployed").containsEntry("chart", "hooked-1.1.0").containsEntry("app_version", "2.0");
        });
        List<Map<String, Object>> history = json.readValue(helm(kubeconfig, "history", "app", "-n", ns, "-o", "json"),
                new TypeReference<>() { });
        assertThat(history).extracting(h -> h.get("revision") + " " + h.get("status") + " " + h.get("chart"))
                .containsExactly("2 superseded hooked-1.1.0", "3 failed hooked-1.2.0", "4 deployed hooked-1.1.0");
        assertThat(history.get(1).get("description")).isEqualTo("Upgrade \"app\" failed: pre-upgrade hook failed");
        assertThat(json.readValue(helm(kubeconfig, "get", "values", "app", "-n", ns, "-o", "json"), VALUES))
                .isEqualTo(Map.of("message", "two"));
        assertThat(json.readValue(helm(kubeconfig, "get", "values", "app", "-n", ns, "--revision", "3", "-o", "json"), VALUES))
                .isEqualTo(Map.of("message", "three"));
        assertThat(helm(kubeconfig, "get", "manifest", "app", "-n", ns)).contains("name: app-settings\n")
                .contains("message: two\n").doesNotContain("three");
        assertThat(helm(kubeconfig, "get", "hooks", "app", "-n", ns)).contains("name: app-migrate\n")
                .contains("pre-install,pre-upgrade");
    }

    @Test
    void statusHistoryIsTheRecordsNewestFirstInHelmControllersSnapshotShape() {
        String ns = namespace("records-history");
        ReleaseRecords records = new ReleaseRecords(client);
        ReleaseRecords.Target target = new ReleaseRecords.Target("app", ns, ns, 3);
        String oci = "sha256:" + "ab".repeat(32);
        ReleaseBundle v1 = bundle(ns, "1.0.0", "one");
        ReleaseBundle v2 = withTest(bundle(ns, "1.1.0+abababababab", "two"), oci);
        records.record(target, released(ReleaseAction.INSTALL), v1, null, List.of());
        Map<String, Object> testPod = v2.hooks().get(1);
        Instant started = Instant.parse("2026-12-07T01:02:03.456Z");
        HookRunner.Result tests = new HookRunner.Result("test", List.of(new HookRunner.Execution(Hook.of(testPod),
                started, started.plusSeconds(2), "Succeeded")), null);
        records.record(target, released(ReleaseAction.UPGRADE), v2, null, List.of(tests));
        records.record(target, rolledBack(), bundle(ns, "1.2.0", "three"), v2, List.of());

        List<Map<String, Object>> history = records.snapshots(target, false);
        // maxHistory 3: revisions 4 (the rollback to 2), 3 (failed), 2; revision 1 is gone from storage and history
        assertThat(history).extracting(h -> h.get("version") + " " + h.get("status") + " " + h.get("chartVersion"))
                .containsExactly("4 deployed 1.1.0+abababababab", "3 failed 1.2.0", "2 superseded 1.1.0+abababababab");
        Map<String, Object> latest = history.get(0);
        assertThat(latest).containsEntry("name", "app").containsEntry("namespace", ns).containsEntry("chartName", "hooked")
                .containsEntry("appVersion", "2.0").containsEntry("ociDigest", oci)
                // Go's json.Encoder of {"message":"two"} with its newline, as fluxcd/pkg/chartutil.DigestValues
                .containsEntry("configDigest", "sha256:eba19403c303faf6f431dff0d07bad2451de1629d7cce4de7e8dca3c71eabb53");
        assertThat(String.valueOf(latest.get("digest"))).matches("sha256:[0-9a-f]{64}");
        assertThat(String.valueOf(latest.get("firstDeployed"))).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(history.get(1)).doesNotContainKey("ociDigest").doesNotContainKey("testHooks");
        assertThat(history.get(2).get("testHooks")).isEqualTo(Map.of("app-test", Map.of(
                "lastStarted", "2026-12-07T01:02:03Z", "lastCompleted", "2026-12-07T01:02:05Z", "phase", "Succeeded")));
        assertThat(history.get(0).get("firstDeployed")).isEqualTo(history.get(2).get("firstDeployed"));
        assertThat(history).extracting(h -> h.get("digest")).doesNotHaveDuplicates();
    }

    @Test
    void fluxValuesDigestIsGoJsonEncodingWithSortedKeysAndHtmlEscapes() {
        assertThat(FluxDigest.values(Map.of("replicaCount", 2, "ui", Map.of("message", "<b>&"), "list", List.of(1, "x"))))
                .isEqualTo("sha256:5835776d1491a0e6a389436d164ba07412c59cf2d533664edf9052e4b8b9b7a7");
        assertThat(FluxDigest.values(Map.of()))
                .isEqualTo("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    private static ReleaseBundle withTest(ReleaseBundle bundle, String ociDigest) {
        Map<String, Object> test = Map.of("apiVersion", "v1", "kind", "Pod", "metadata", Map.of("name", "app-test",
                "namespace", bundle.objects().get(0).get("metadata") instanceof Map<?, ?> m ? m.get("namespace") : "",
                "annotations", Map.of("helm.sh/hook", "test")), "spec", Map.of("restartPolicy", "Never",
                "containers", List.of(Map.of("name", "t", "image", "busybox"))));
        List<Map<String, Object>> hooks = new ArrayList<>(bundle.hooks());
        hooks.add(test);
        ReleaseBundle.Release r = bundle.release();
        return new ReleaseBundle(bundle.objects(), hooks, new ReleaseBundle.Release(r.chartMetadata(), r.chartValues(),
                r.config(), r.valuesFromSecrets(), ociDigest));
    }

    @Test
    void anUninstallDeletesTheRecords() {
        String ns = namespace("records-uninstall");
        ReleaseRecords records = new ReleaseRecords(client);
        ReleaseRecords.Target target = new ReleaseRecords.Target("app", ns, ns, 5);
        records.record(target, released(ReleaseAction.INSTALL), bundle(ns, "1.0.0", "one"), null, List.of());
        ReleaseOutcome uninstalled = new ReleaseOutcome(ReleaseAction.INSTALL, ApplyResult.of(List.of(), List.of(), "failed"),
                ApplyResult.of(List.of(), List.of(), null), HelmReasons.UNINSTALL_SUCCEEDED, ReleaseCounters.NONE, true, true);
        assertThat(records.record(target, uninstalled, bundle(ns, "1.0.0", "one"), null, List.of())).isZero();
        assertThat(records.records(target)).isEmpty();
    }

    /**
     * Helm's storage bound, as helm-controller's upgrade sets it ({@code MaxHistory}, {@code storage.Create} →
     * {@code removeLeastRecent(name, max - 1)} before the new record): with maxHistory 2 and two failed upgrades after
     * the install, the deployed revision 1 stays however old and the failed revision 2 goes; a successful upgrade then
     * removes failed revision 3, not revision 1. status.history is cut as helm-controller's {@code Truncate}: the latest
     * down to the previous deployed or superseded one.
     */
    @Test
    void maxHistoryKeepsTheDeployedRevisionAsHelmsStorageDoes() throws Exception {
        String ns = namespace("records-bound");
        ReleaseRecords records = new ReleaseRecords(client);
        ReleaseRecords.Target target = new ReleaseRecords.Target("app", ns, ns, 2);
        ReleaseOutcome failedUpgrade = new ReleaseOutcome(ReleaseAction.UPGRADE,
                ApplyResult.of(List.of(), List.of(), "Deployment/app not ready"), null, null, new ReleaseCounters(0, 1, 1),
                false, false);

        records.record(target, released(ReleaseAction.INSTALL), bundle(ns, "1.0.0", "one"), null, List.of());
        records.record(target, failedUpgrade, bundle(ns, "1.1.0", "two"), null, List.of());
        assertThat(versionsAndStatuses(records.records(target))).containsExactly("1 deployed", "2 failed");
        records.record(target, failedUpgrade, bundle(ns, "1.2.0", "three"), null, List.of());
        assertThat(versionsAndStatuses(records.records(target))).containsExactly("1 deployed", "3 failed");
        assertThat(records.snapshots(target, false)).extracting(h -> h.get("version") + " " + h.get("status"))
                .containsExactly("3 failed", "1 deployed");

        assertThat(records.record(target, released(ReleaseAction.UPGRADE), bundle(ns, "1.3.0", "four"), null, List.of()))
                .isEqualTo(4);
        assertThat(versionsAndStatuses(records.records(target))).containsExactly("1 superseded", "4 deployed");
        assertThat(records.snapshots(target, false)).extracting(h -> h.get("version") + " " + h.get("status"))
                .containsExactly("4 deployed", "1 superseded");

        assumeTrue(Files.isExecutable(HELM), "reference helm not installed at " + HELM);
        Path kubeconfig = cluster.writeKubeconfig(tmp.resolve("kubeconfig"));
        List<Map<String, Object>> history = json.readValue(helm(kubeconfig, "history", "app", "-n", ns, "-o", "json"),
                new TypeReference<>() { });
        assertThat(history).extracting(h -> h.get("revision") + " " + h.get("status"))
                .containsExactly("1 superseded", "4 deployed");
    }

    private static List<String> versionsAndStatuses(List<Secret> stored) {
        return stored.stream().map(s -> s.getMetadata().getLabels().get("version") + " " + s.getMetadata().getLabels().get("status")).toList();
    }

    private static ReleaseOutcome released(ReleaseAction action) {
        return new ReleaseOutcome(action, ApplyResult.of(List.of(), List.of(), null), null, null, ReleaseCounters.NONE,
                false, false);
    }

    private static ReleaseOutcome rolledBack() {
        return new ReleaseOutcome(ReleaseAction.UPGRADE, ApplyResult.of(List.of(), List.of(), "pre-upgrade hook failed"),
                ApplyResult.of(List.of(), List.of(), null), HelmReasons.ROLLBACK_SUCCEEDED, new ReleaseCounters(1, 0, 1),
                true, false);
    }

    private static ReleaseBundle bundle(String ns, String version, String message) {
        Map<String, Object> settings = Map.of("apiVersion", "v1", "kind", "ConfigMap",
                "metadata", Map.of("name", "app-settings", "namespace", ns), "data", Map.of("message", message));
        Map<String, Object> hook = Map.of("apiVersion", "batch/v1", "kind", "Job", "metadata", Map.of("name", "app-migrate",
                "namespace", ns, "annotations", Map.of("helm.sh/hook", "pre-install,pre-upgrade", "helm.sh/hook-weight", "-5")),
                "spec", Map.of("template", Map.of("spec", Map.of("restartPolicy", "Never",
                        "containers", List.of(Map.of("name", "m", "image", "busybox"))))));
        return new ReleaseBundle(List.of(settings), List.of(hook), new ReleaseBundle.Release(
                Map.of("apiVersion", "v2", "name", "hooked", "version", version, "appVersion", "2.0"),
                Map.of("message", "hello"), Map.of("message", message), List.of()));
    }

    private static String namespace(String name) {
        client.resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
        return name;
    }

    private static String helm(Path kubeconfig, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(HELM.toString(), "--kubeconfig", kubeconfig.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ":\n" + out).isZero();
        return out;
    }
}

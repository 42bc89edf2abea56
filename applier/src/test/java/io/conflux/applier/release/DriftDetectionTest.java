package io.conflux.applier.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code spec.driftDetection} and how a drift is measured ({@link ObjectDrift}), without a cluster. */
class DriftDetectionTest {
    static final Map<String, Object> DEPLOYMENT = Map.of("apiVersion", "apps/v1", "kind", "Deployment",
            "metadata", Map.of("name", "web", "namespace", "apps", "labels", Map.of("app", "web")),
            "spec", Map.of("replicas", 2, "template", Map.of("spec", Map.of("containers",
                    List.of(Map.of("name", "c", "image", "nginx:1"))))));

    @Test
    void disabledByDefault() {
        assertThat(DriftDetection.of(null).detects()).isFalse();
        assertThat(DriftDetection.of(Map.of()).mode()).isEqualTo(DriftDetection.DISABLED);
        assertThat(DriftDetection.of(Map.of("mode", "warn")).corrects()).isFalse();
        assertThat(DriftDetection.of(Map.of("mode", "enabled")).corrects()).isTrue();
    }

    @Test
    void ignoreRulesSelectTheirTargets() {
        DriftDetection d = DriftDetection.of(Map.of("mode", "enabled", "ignore", List.of(
                Map.of("paths", List.of("/spec/replicas"), "target", Map.of("kind", "Deploy.*", "labelSelector", "app=web")),
                Map.of("paths", List.of("/metadata/annotations/x"), "target", Map.of("kind", "Service")),
                Map.of("paths", List.of("/data/everywhere")))));
        assertThat(d.ignoredPaths(DEPLOYMENT, "apps")).containsExactly("/spec/replicas", "/data/everywhere");
        Map<String, Object> other = Map.of("apiVersion", "apps/v1", "kind", "Deployment", "metadata",
                Map.of("name", "db", "labels", Map.of("app", "db")));
        assertThat(d.ignoredPaths(other, "apps")).containsExactly("/data/everywhere");
    }

    @Test
    void badFieldsAreNamed() {
        assertThatThrownBy(() -> DriftDetection.of(Map.of("mode", "on")))
                .hasMessage("spec.driftDetection.mode must be enabled, warn or disabled, not 'on'");
        assertThatThrownBy(() -> DriftDetection.of(Map.of("ignore", List.of(Map.of("paths", List.of("spec.replicas"))))))
                .hasMessageStartingWith("spec.driftDetection.ignore[0].paths: 'spec.replicas' is not a JSON Pointer");
        assertThatThrownBy(() -> DriftDetection.of(Map.of("ignore", List.of(Map.of("paths", List.of("/a"),
                "target", Map.of("name", "(")))))).hasMessageStartingWith("spec.driftDetection.ignore[0].target: '(' is not");
    }

    @Test
    void driftIsWhatTheReleaseSetsAndTheClusterChanged() {
        Map<String, Object> live = Map.of("apiVersion", "apps/v1", "kind", "Deployment",
                "metadata", Map.of("name", "web", "namespace", "apps", "uid", "1", "labels",
                        Map.of("app", "web", "helm.toolkit.fluxcd.io/name", "web")),
                "spec", Map.of("replicas", 5L, "strategy", Map.of("type", "RollingUpdate"), "template", Map.of("spec",
                        Map.of("containers", List.of(Map.of("name", "c", "image", "nginx:1", "imagePullPolicy", "Always"))))),
                "status", Map.of("replicas", 5));
        ObjectDrift drift = ObjectDrift.of("Deployment/apps/web", DEPLOYMENT, live, List.of()).orElseThrow();
        assertThat(drift.paths()).containsExactly("/spec/replicas");
        assertThat(drift.summary()).isEqualTo("Deployment/apps/web changed (0 additions, 1 changes, 0 removals)");

        // the HPA's replicas ignored: no drift; fields others added (strategy, defaults, status) never count
        assertThat(ObjectDrift.of("Deployment/apps/web", DEPLOYMENT, live, List.of("/spec/replicas"))).isEmpty();
        assertThat(ObjectDrift.of("Deployment/apps/web", DEPLOYMENT, null, List.of()).orElseThrow().summary())
                .isEqualTo("Deployment/apps/web removed");

        Map<String, Object> liveWithoutLabel = Map.of("apiVersion", "apps/v1", "kind", "Deployment",
                "metadata", Map.of("name", "web"), "spec", Map.of("replicas", 2, "template", Map.of("spec",
                        Map.of("containers", List.of(Map.of("name", "c", "image", "nginx:2"))))));
        ObjectDrift two = ObjectDrift.of("Deployment/apps/web", DEPLOYMENT, liveWithoutLabel, List.of()).orElseThrow();
        assertThat(two.additions()).isEqualTo(1);
        assertThat(two.changes()).isEqualTo(1);
        assertThat(two.paths()).containsExactly("/metadata/labels", "/spec/template/spec/containers/0/image");
    }

    @Test
    void aSecretsStringDataComparesAsItsData() {
        Map<String, Object> desired = Map.of("apiVersion", "v1", "kind", "Secret", "metadata", Map.of("name", "s"),
                "stringData", Map.of("password", "hunter2"));
        Map<String, Object> live = Map.of("apiVersion", "v1", "kind", "Secret", "metadata", Map.of("name", "s"),
                "data", Map.of("password", "aHVudGVyMg=="));
        assertThat(ObjectDrift.of("Secret/s", desired, live, List.of())).isEmpty();
    }

    @Test
    void pointersRemoveWhatTheyName() {
        Map<String, Object> tree = Map.of("metadata", Map.of("annotations", Map.of("a/b", "1", "c", "2")),
                "list", List.of("x", "y"));
        assertThat(ObjectDrift.without(tree, List.of("/metadata/annotations/a~1b", "/list/0", "/missing/path")))
                .isEqualTo(Map.of("metadata", Map.of("annotations", Map.of("c", "2")), "list", List.of("y")));
        assertThat(tree).containsKey("list"); // the input is left as it was
    }
}

package io.conflux.applier.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.ObjectKey;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DependencyCheckTest {

    @Test
    void waitsForMissingAndNotReadyDependenciesAndPassesWhenReady() {
        Reconcilable apps = k("apps", List.of("infra"), null);
        assertThat(DependencyCheck.blocking(apps, "r", lookup(apps))).contains("unable to get 'default/infra' dependency: not found");
        Reconcilable infraNotReady = k("infra", List.of(), "False");
        assertThat(DependencyCheck.blocking(apps, "r", lookup(apps, infraNotReady))).contains("dependency 'default/infra' is not ready");
        Reconcilable infraReady = k("infra", List.of(), "True");
        assertThat(DependencyCheck.blocking(apps, "r", lookup(apps, infraReady))).isEmpty();
        assertThat(DependencyCheck.dependents(new ObjectKey("Kustomization", "default", "infra"), List.of(apps, infraReady)))
                .extracting(r -> r.key().name()).containsExactly("apps");
    }

    @Test
    void aDependencyOfTheSameSourceMustHaveAppliedTheRevisionAboutToBeApplied() {
        Reconcilable apps = k("apps", List.of("infra"), null);
        Reconcilable infraReadyAtR = k("infra", List.of(), "True");
        assertThat(DependencyCheck.blocking(apps, "main@sha1:new", lookup(apps, infraReadyAtR)))
                .contains("dependency 'default/infra' revision is not up to date");
        assertThat(DependencyCheck.blocking(apps, "r", lookup(apps, infraReadyAtR))).isEmpty();
        Reconcilable otherSource = withSource(k("infra", List.of(), "True"), "other");
        assertThat(DependencyCheck.blocking(apps, "main@sha1:new", lookup(apps, otherSource))).isEmpty();
    }

    @Test
    void reportsCycles() {
        Reconcilable a = k("a", List.of("b"), "True");
        Reconcilable b = k("b", List.of("c"), "True");
        Reconcilable c = k("c", List.of("a"), "True");
        assertThat(DependencyCheck.blocking(a, null, lookup(a, b, c)))
                .contains("dependency cycle: default/a -> default/b -> default/c -> default/a");
    }

    private static Function<ObjectKey, Optional<Reconcilable>> lookup(Reconcilable... all) {
        Map<String, Reconcilable> byName = List.of(all).stream().collect(Collectors.toMap(r -> r.key().name(), r -> r));
        return key -> Optional.ofNullable(byName.get(key.name()));
    }

    private static Reconcilable k(String name, List<String> dependsOn, String ready) {
        String deps = dependsOn.stream().map(d -> "{\"name\":\"" + d + "\"}").collect(Collectors.joining(","));
        String status = ready == null ? "" : ",\"status\":{\"lastAppliedRevision\":\"r\",\"lastAttemptedRevision\":\"r\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"" + ready + "\",\"observedGeneration\":1}]}";
        Kustomization k = Serialization.unmarshal("{\"apiVersion\":\"kustomize.toolkit.fluxcd.io/v1\",\"kind\":\"Kustomization\","
                + "\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"default\",\"generation\":1},"
                + "\"spec\":{\"sourceRef\":{\"kind\":\"GitRepository\",\"name\":\"flux-system\"},\"dependsOn\":[" + deps + "]}"
                + status + "}", Kustomization.class);
        return Reconcilable.of(k).orElseThrow();
    }

    private static Reconcilable withSource(Reconcilable r, String source) {
        Kustomization k = (Kustomization) r.object();
        String json = Serialization.asJson(k).replace("\"name\":\"flux-system\"", "\"name\":\"" + source + "\"");
        return Reconcilable.of(Serialization.unmarshal(json, Kustomization.class)).orElseThrow();
    }
}

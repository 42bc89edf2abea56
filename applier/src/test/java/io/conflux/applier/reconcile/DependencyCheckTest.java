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
        Kustomization apps = k("apps", List.of("infra"), null);
        assertThat(DependencyCheck.blocking(apps, lookup(apps))).contains("unable to get 'default/infra' dependency: not found");
        Kustomization infraNotReady = k("infra", List.of(), "False");
        assertThat(DependencyCheck.blocking(apps, lookup(apps, infraNotReady))).contains("dependency 'default/infra' is not ready");
        Kustomization infraReady = k("infra", List.of(), "True");
        assertThat(DependencyCheck.blocking(apps, lookup(apps, infraReady))).isEmpty();
        assertThat(DependencyCheck.dependents(new ObjectKey("Kustomization", "default", "infra"), List.of(apps, infraReady)))
                .containsExactly(apps);
    }

    @Test
    void reportsCycles() {
        Kustomization a = k("a", List.of("b"), "True");
        Kustomization b = k("b", List.of("c"), "True");
        Kustomization c = k("c", List.of("a"), "True");
        assertThat(DependencyCheck.blocking(a, lookup(a, b, c)))
                .contains("dependency cycle: default/a -> default/b -> default/c -> default/a");
    }

    private static Function<ObjectKey, Optional<Kustomization>> lookup(Kustomization... all) {
        Map<String, Kustomization> byName = List.of(all).stream().collect(Collectors.toMap(k -> k.getMetadata().getName(), k -> k));
        return key -> Optional.ofNullable(byName.get(key.name()));
    }

    private static Kustomization k(String name, List<String> dependsOn, String ready) {
        String deps = dependsOn.stream().map(d -> "{\"name\":\"" + d + "\"}").collect(Collectors.joining(","));
        String status = ready == null ? "" : ",\"status\":{\"lastAppliedRevision\":\"r\",\"lastAttemptedRevision\":\"r\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"" + ready + "\",\"observedGeneration\":1}]}";
        return Serialization.unmarshal("{\"apiVersion\":\"kustomize.toolkit.fluxcd.io/v1\",\"kind\":\"Kustomization\","
                + "\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"default\",\"generation\":1},"
                + "\"spec\":{\"dependsOn\":[" + deps + "]}" + status + "}", Kustomization.class);
    }
}

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
    void aDependencyInAnotherNamespaceIsLookedUpThereNotInTheDependentsNamespace() {
        Reconcilable apps = withDependency(k("apps", List.of(), null), "infra", "flux-system");
        Reconcilable infraHereReady = k("infra", List.of(), "True");
        Function<ObjectKey, Optional<Reconcilable>> onlyHere = lookupByKey(apps, infraHereReady);
        assertThat(DependencyCheck.blocking(apps, "r", onlyHere)).contains("unable to get 'flux-system/infra' dependency: not found");

        Reconcilable infraThereNotReady = inNamespace(k("infra", List.of(), "False"), "flux-system");
        assertThat(DependencyCheck.blocking(apps, "r", lookupByKey(apps, infraHereReady, infraThereNotReady)))
                .contains("dependency 'flux-system/infra' is not ready");

        Reconcilable infraThereReady = inNamespace(k("infra", List.of(), "True"), "flux-system");
        assertThat(DependencyCheck.blocking(apps, "r", lookupByKey(apps, infraThereReady))).isEmpty();
        assertThat(DependencyCheck.dependents(infraThereReady.key(), List.of(apps, infraHereReady, infraThereReady)))
                .extracting(r -> r.key().toString()).containsExactly(apps.key().toString());
        assertThat(DependencyCheck.dependents(infraHereReady.key(), List.of(apps, infraHereReady, infraThereReady))).isEmpty();
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

    private static Function<ObjectKey, Optional<Reconcilable>> lookupByKey(Reconcilable... all) {
        Map<ObjectKey, Reconcilable> byKey = List.of(all).stream().collect(Collectors.toMap(Reconcilable::key, r -> r));
        return key -> Optional.ofNullable(byKey.get(key));
    }

    private static Reconcilable withDependency(Reconcilable r, String name, String namespace) {
        String json = Serialization.asJson(r.object()).replace("\"dependsOn\":[]",
                "\"dependsOn\":[{\"name\":\"" + name + "\",\"namespace\":\"" + namespace + "\"}]");
        return Reconcilable.of(Serialization.unmarshal(json, Kustomization.class)).orElseThrow();
    }

    private static Reconcilable inNamespace(Reconcilable r, String namespace) {
        String json = Serialization.asJson(r.object()).replace("\"namespace\":\"default\"", "\"namespace\":\"" + namespace + "\"");
        return Reconcilable.of(Serialization.unmarshal(json, Kustomization.class)).orElseThrow();
    }

    private static Reconcilable withSource(Reconcilable r, String source) {
        Kustomization k = (Kustomization) r.object();
        String json = Serialization.asJson(k).replace("\"name\":\"flux-system\"", "\"name\":\"" + source + "\"");
        return Reconcilable.of(Serialization.unmarshal(json, Kustomization.class)).orElseThrow();
    }
}

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

    /**
     * Flux's HelmRelease v2 status has no {@code lastAppliedRevision} (the API server prunes it): a HelmRelease
     * dependency is ready when {@code Ready=True} at its generation, applied at its {@code lastAttemptedRevision}.
     */
    @Test
    void aHelmReleaseDependencyIsReadyByFluxsV2Fields() {
        Reconcilable apps = k("apps", List.of("podinfo"), null);
        String v2Status = "{\"lastAttemptedRevision\":\"6.5.4\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"%s\","
                + "\"observedGeneration\":3}]}";
        Reconcilable released = Fixtures.helmRelease("", v2Status.formatted("True"));
        assertThat(released.appliedRevision()).isEqualTo("6.5.4");
        assertThat(DependencyCheck.blocking(apps, "r", lookup(apps, released))).isEmpty();
        Reconcilable failed = Fixtures.helmRelease("", v2Status.formatted("False"));
        assertThat(failed.appliedRevision()).isNull();
        assertThat(DependencyCheck.blocking(apps, "r", lookup(apps, failed)))
                .contains("dependency 'default/podinfo' is not ready");
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

    /** The keys the applier's caches index an object under, which {@code dependents} matches. */
    @Test
    void anObjectsDependenciesAreTheKeysItsDependentsAreFoundBy() {
        Reconcilable apps = withDependency(k("apps", List.of(), null), "infra", "flux-system");
        Reconcilable web = k("web", List.of("db", "cache"), null);
        assertThat(DependencyCheck.dependencies(apps))
                .containsExactly(new ObjectKey("Kustomization", "flux-system", "infra"));
        assertThat(DependencyCheck.dependencies(web)).containsExactly(new ObjectKey("Kustomization", "default", "db"),
                new ObjectKey("Kustomization", "default", "cache"));
        assertThat(DependencyCheck.dependencies(k("db", List.of(), "True"))).isEmpty();
        for (ObjectKey dependency : DependencyCheck.dependencies(web)) {
            assertThat(DependencyCheck.dependents(dependency, List.of(apps, web))).containsExactly(web);
        }
    }

    @Test
    void reportsCycles() {
        Reconcilable a = k("a", List.of("b"), "True");
        Reconcilable b = k("b", List.of("c"), "True");
        Reconcilable c = k("c", List.of("a"), "True");
        assertThat(DependencyCheck.blocking(a, null, lookup(a, b, c)))
                .contains("dependency cycle: default/a -> default/b -> default/c -> default/a");
    }

    @Test
    void aReadyExprReplacesTheBuiltInCheckAsFluxsAdditiveGateDefaultsToOff() {
        // the dependency is not Ready, but the expression only asks for matching version labels
        Reconcilable backend = labelled(k("backend", List.of(), "False"), "v1.2.3");
        Reconcilable frontend = labelled(withReadyExpr(k("frontend", List.of("backend"), null),
                "dep.metadata.labels['app/version'] == self.metadata.labels['app/version']"), "v1.2.3");
        assertThat(DependencyCheck.invalidExpression(frontend)).isEmpty();
        assertThat(DependencyCheck.blocking(frontend, "main@sha1:new", lookup(frontend, backend))).isEmpty();

        Reconcilable olderBackend = labelled(k("backend", List.of(), "True"), "v1.2.2");
        assertThat(DependencyCheck.blocking(frontend, "r", lookup(frontend, olderBackend)))
                .contains("dependency 'default/backend' is not ready according to readyExpr eval");
    }

    @Test
    void aReadyExprOverTheDependencysStatusDecidesLikeTheBuiltInCheck() {
        Reconcilable apps = withReadyExpr(k("apps", List.of("infra"), null),
                "dep.status.conditions.filter(e, e.type == 'Ready').all(e, e.status == 'True')"
                        + " && dep.metadata.generation == dep.status.conditions[0].observedGeneration");
        assertThat(DependencyCheck.blocking(apps, "r", lookup(apps, k("infra", List.of(), "True")))).isEmpty();
        assertThat(DependencyCheck.blocking(apps, "r", lookup(apps, k("infra", List.of(), "False"))))
                .contains("dependency 'default/infra' is not ready according to readyExpr eval");
    }

    @Test
    void aReadyExprThatFailsToEvaluateIsADependencyNotReadyNamingTheField() {
        Reconcilable apps = withReadyExpr(k("apps", List.of("infra"), null), "dep.status.lastAppliedRevision == 'r'");
        // no status at all on the dependency: the field is missing
        assertThat(DependencyCheck.blocking(apps, "r", lookup(apps, k("infra", List.of(), null)))).get().asString()
                .startsWith("dependency 'default/infra': spec.dependsOn[0].readyExpr: failed to evaluate the CEL expression");
        assertThat(DependencyCheck.blocking(apps, "r", lookup(apps, k("infra", List.of(), "True")))).isEmpty();
    }

    @Test
    void aReadyExprThatDoesNotCompileOrIsNotABoolIsInvalidNamingItsIndex() {
        Reconcilable syntax = withReadyExpr(k("apps", List.of("infra", "db"), null), "dep.status.(");
        assertThat(DependencyCheck.invalidExpression(syntax)).get().asString()
                .startsWith("spec.dependsOn[0].readyExpr: failed to parse the CEL expression");
        Reconcilable unknownVariable = withReadyExpr(k("apps", List.of("infra"), null), "deps.metadata.name == 'x'");
        assertThat(DependencyCheck.invalidExpression(unknownVariable)).get().asString()
                .startsWith("spec.dependsOn[0].readyExpr:").contains("undeclared reference to 'deps'");
        Reconcilable notBool = withReadyExpr(k("apps", List.of("infra"), null), "dep.metadata.name");
        assertThat(DependencyCheck.invalidExpression(notBool)).get().asString()
                .startsWith("spec.dependsOn[0].readyExpr:").contains("not a bool");
    }

    @Test
    void anInvalidExpressionStopsTheAttemptAsInvalidCelExpressionBeforeTheDependenciesAreLookedAt() {
        Reconcilable apps = withReadyExpr(k("apps", List.of("infra"), null), "dep.status.(");
        var desired = Fixtures.desired("Kustomization/default/apps", 1, "sha256:d", 1L);
        assertThat(FailedAttempt.before(apps, desired, lookup(apps), Fixtures.RETRY)).get()
                .extracting(FailedAttempt.Cause::reason, FailedAttempt.Cause::emit)
                .containsExactly("InvalidCELExpression", true);
        Reconcilable health = Fixtures.kustomization("\"healthCheckExprs\":[{\"apiVersion\":\"example.com/v1\","
                + "\"kind\":\"Widget\",\"current\":\"status.ready ==\"}]", null);
        var cause = FailedAttempt.before(health, desired, lookup(health), Fixtures.RETRY).orElseThrow();
        assertThat(cause.reason()).isEqualTo("InvalidCELExpression");
        assertThat(cause.message()).startsWith("spec.healthCheckExprs[0].current: failed to parse the CEL expression");
    }

    private static Reconcilable withReadyExpr(Reconcilable r, String readyExpr) {
        String json = Serialization.asJson(r.object());
        int at = json.indexOf("\"dependsOn\":[{");
        String first = json.substring(at);
        int close = first.indexOf('}');
        json = json.substring(0, at) + first.substring(0, close) + ",\"readyExpr\":" + Serialization.asJson(readyExpr)
                + first.substring(close);
        return Reconcilable.of(Serialization.unmarshal(json, Kustomization.class)).orElseThrow();
    }

    private static Reconcilable labelled(Reconcilable r, String version) {
        String json = Serialization.asJson(r.object()).replace("\"metadata\":{", "\"metadata\":{\"labels\":{\"app/version\":\""
                + version + "\"},");
        return Reconcilable.of(Serialization.unmarshal(json, Kustomization.class)).orElseThrow();
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

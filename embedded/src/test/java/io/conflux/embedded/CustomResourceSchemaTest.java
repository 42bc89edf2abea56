package io.conflux.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The in-memory API server validates, prunes and defaults Flux objects against Flux's real CRDs from deploy/crds
 * as kube-apiserver does, and keeps CRDs' status and update rules. One fresh server per test (CRDs are changed).
 */
class CustomResourceSchemaTest {

    static final ResourceDefinitionContext KS = context("kustomize.toolkit.fluxcd.io", "v1", "Kustomization", "kustomizations");
    static final ResourceDefinitionContext GIT = context("source.toolkit.fluxcd.io", "v1", "GitRepository", "gitrepositories");
    static final ResourceDefinitionContext GIT_BETA = context("source.toolkit.fluxcd.io", "v1beta2", "GitRepository", "gitrepositories");

    InMemoryKubernetes kube;
    KubernetesClient client;

    @BeforeEach
    void start() {
        kube = InMemoryKubernetes.start();
        client = kube.client();
        kube.installCrds(InMemoryKubernetesTest.CRDS);
    }

    @AfterEach
    void stop() {
        kube.close();
    }

    static ResourceDefinitionContext context(String group, String version, String kind, String plural) {
        return new ResourceDefinitionContext.Builder().withGroup(group).withVersion(version).withKind(kind)
            .withPlural(plural).withNamespaced(true).build();
    }

    static GenericKubernetesResource object(String apiVersion, String kind, String name, Map<String, Object> spec) {
        return new GenericKubernetesResourceBuilder().withApiVersion(apiVersion).withKind(kind)
            .withNewMetadata().withNamespace("default").withName(name).endMetadata()
            .addToAdditionalProperties("spec", spec).build();
    }

    static GenericKubernetesResource kustomization(String name, Map<String, Object> spec) {
        return object("kustomize.toolkit.fluxcd.io/v1", "Kustomization", name, spec);
    }

    static Map<String, Object> sourceRef() {
        return Map.of("kind", "GitRepository", "name", "repo");
    }

    static Status refused(ThrowingCallable call) {
        KubernetesClientException[] caught = new KubernetesClientException[1];
        assertThatThrownBy(call).isInstanceOfSatisfying(KubernetesClientException.class, e -> caught[0] = e);
        assertThat(caught[0].getCode()).isEqualTo(422);
        assertThat(caught[0].getStatus().getReason()).isEqualTo("Invalid");
        return caught[0].getStatus();
    }

    @Test
    void aMissingRequiredFieldIsRefusedWithKubeApiserversStatus() {
        Status status = refused(() -> client.resource(kustomization("no-prune",
            Map.of("interval", "10m", "path", "./apps", "sourceRef", sourceRef()))).create());
        assertThat(status.getMessage()).isEqualTo(
            "Kustomization.kustomize.toolkit.fluxcd.io \"no-prune\" is invalid: spec.prune: Required value");
        assertThat(status.getDetails().getName()).isEqualTo("no-prune");
        assertThat(status.getDetails().getGroup()).isEqualTo("kustomize.toolkit.fluxcd.io");
        assertThat(status.getDetails().getKind()).isEqualTo("Kustomization");
        assertThat(status.getDetails().getCauses()).extracting(StatusCause::getReason, StatusCause::getField,
            StatusCause::getMessage).containsExactly(tuple("FieldValueRequired", "spec.prune", "Required value"));
        assertThat(client.genericKubernetesResources(KS).inNamespace("default").withName("no-prune").get()).isNull();
    }

    @Test
    void typePatternEnumAndNestedFieldsAreCheckedOnEveryWriteWithTheirPaths() {
        Status status = refused(() -> client.resource(kustomization("bad", Map.of("interval", 5, "prune", true,
            "sourceRef", Map.of("kind", "ConfigMap", "name", "repo"),
            "healthChecks", List.of(Map.of("kind", "Deployment")),
            "timeout", "soon"))).serverSideApply());
        assertThat(status.getDetails().getCauses()).extracting(StatusCause::getField, StatusCause::getReason)
            .containsExactlyInAnyOrder(
                tuple("spec.interval", "FieldValueTypeInvalid"),
                tuple("spec.sourceRef.kind", "FieldValueNotSupported"),
                tuple("spec.healthChecks[0].name", "FieldValueRequired"),
                tuple("spec.timeout", "FieldValueInvalid"));
        assertThat(status.getMessage()).startsWith("Kustomization.kustomize.toolkit.fluxcd.io \"bad\" is invalid: [")
            .contains("spec.interval: Invalid value: \"integer\": spec.interval in body must be of type string: \"integer\"")
            .contains("spec.sourceRef.kind: Unsupported value: \"ConfigMap\": supported values: \"OCIRepository\", "
                + "\"GitRepository\", \"Bucket\", \"ExternalArtifact\"")
            .contains("spec.timeout: Invalid value: \"soon\": spec.timeout in body should match "
                + "'^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$'");

        Status url = refused(() -> client.resource(object("source.toolkit.fluxcd.io/v1", "GitRepository", "local",
            Map.of("interval", "1m", "url", "file:///etc"))).create());
        assertThat(url.getDetails().getCauses()).extracting(StatusCause::getField).containsExactly("spec.url");

        // an update (merge patch) is checked as well, and a valid one passes
        client.resource(kustomization("good", Map.of("interval", "10m", "prune", true, "sourceRef", sourceRef())))
            .create();
        var good = client.genericKubernetesResources(KS).inNamespace("default").withName("good");
        Status patched = refused(() -> good.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"prune\":\"yes\"}}"));
        assertThat(patched.getDetails().getCauses()).extracting(StatusCause::getField).containsExactly("spec.prune");
        good.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"prune\":false}}");
        assertThat(good.get().<Boolean>get("spec", "prune")).isFalse();
    }

    @Test
    void unknownFieldsArePrunedAndDefaultsFilledIn() {
        client.resource(object("source.toolkit.fluxcd.io/v1", "GitRepository", "repo",
            Map.of("interval", "1m", "url", "https://example.com/repo", "notAFluxField", "x",
                "ref", Map.of("branch", "main", "typo", 1)))).serverSideApply();
        GenericKubernetesResource stored = client.genericKubernetesResources(GIT).inNamespace("default")
            .withName("repo").get();
        Map<String, Object> spec = stored.get("spec");
        assertThat(spec).doesNotContainKey("notAFluxField").containsEntry("ref", Map.of("branch", "main"));
        // Flux's defaults: spec.timeout 60s (source-controller), applied by the API server
        assertThat(spec).containsEntry("timeout", "60s");

        // the status subresource is pruned and defaulted too
        client.genericKubernetesResources(GIT).inNamespace("default").withName("repo").subresource("status")
            .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"observedGeneration\":1,\"made\":\"up\"}}");
        Map<String, Object> st = client.genericKubernetesResources(GIT).inNamespace("default").withName("repo").get()
            .get("status");
        assertThat(st).containsEntry("observedGeneration", 1).doesNotContainKey("made");
    }

    @Test
    void statusWritesAreValidatedAgainstTheStatusSchema() {
        client.resource(object("source.toolkit.fluxcd.io/v1", "GitRepository", "repo",
            Map.of("interval", "1m", "url", "https://example.com/repo"))).create();
        var repo = client.genericKubernetesResources(GIT).inNamespace("default").withName("repo");
        Status status = refused(() -> repo.subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
            "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"Maybe\",\"reason\":\"Test\","
                + "\"message\":\"\",\"lastTransitionTime\":\"yesterday\"}]}}"));
        assertThat(status.getDetails().getCauses()).extracting(StatusCause::getField, StatusCause::getReason)
            .containsExactlyInAnyOrder(
                tuple("status.conditions[0].status", "FieldValueNotSupported"),
                tuple("status.conditions[0].lastTransitionTime", "FieldValueInvalid"));
        assertThat(status.getMessage()).contains("status.conditions[0].lastTransitionTime: Invalid value: "
            + "\"yesterday\": status.conditions[0].lastTransitionTime in body must be of type date-time: \"yesterday\"");
        repo.subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
            "{\"status\":{\"conditions\":[" + InMemoryKubernetesTest.CONDITION.formatted("Ready", "True") + "]}}");
        assertThat(repo.get().<String>get("status", "conditions", 0, "status")).isEqualTo("True");
    }

    @Test
    void anUpdateIsRefusedOnlyForWhatItChanges() {
        client.resource(object("source.toolkit.fluxcd.io/v1", "GitRepository", "repo",
            Map.of("interval", "1m", "url", "https://example.com/repo"))).create();
        var repo = client.genericKubernetesResources(GIT).inNamespace("default").withName("repo");
        // a new status.artifact must be whole: Flux requires digest, lastUpdateTime, path, revision and url
        Status status = refused(() -> repo.subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
            "{\"status\":{\"artifact\":{\"revision\":\"main@sha1:abc\",\"url\":\"http://a\","
                + "\"lastUpdateTime\":\"2026-12-06T00:00:00Z\"}}}"));
        assertThat(status.getDetails().getCauses()).extracting(StatusCause::getField)
            .containsExactlyInAnyOrder("status.artifact.digest", "status.artifact.path");
        assertThat(repo.get().getAdditionalProperties().get("status")).isNull();
    }

    @Test
    void xKubernetesValidationsRulesAreEvaluatedWithCel() {
        Status kubeConfig = refused(() -> client.resource(kustomization("remote", Map.of("interval", "10m",
            "prune", true, "sourceRef", sourceRef(), "kubeConfig", Map.of()))).create());
        assertThat(kubeConfig.getDetails().getCauses()).extracting(StatusCause::getField, StatusCause::getMessage)
            .containsExactly(tuple("spec.kubeConfig", "Invalid value: \"object\": exactly one of "
                + "spec.kubeConfig.configMapRef or spec.kubeConfig.secretRef must be specified"));

        Status chart = refused(() -> client.resource(object("helm.toolkit.fluxcd.io/v2", "HelmRelease", "both",
            Map.of("interval", "10m", "chartRef", Map.of("kind", "OCIRepository", "name", "podinfo"),
                "chart", Map.of("spec", Map.of("chart", "podinfo",
                    "sourceRef", Map.of("kind", "HelmRepository", "name", "podinfo")))))).create());
        assertThat(chart.getDetails().getCauses()).extracting(StatusCause::getField, StatusCause::getMessage)
            .containsExactly(tuple("spec", "Invalid value: \"object\": either chart or chartRef must be set"));

        client.resource(kustomization("remote", Map.of("interval", "10m", "prune", true, "sourceRef", sourceRef(),
            "kubeConfig", Map.of("secretRef", Map.of("name", "kubeconfig"))))).create();
    }

    @Test
    void everyServedVersionIsValidatedWithItsOwnSchema() {
        // v1beta2 of GitRepository still has spec.gitImplementation, which v1 dropped
        client.resource(object("source.toolkit.fluxcd.io/v1beta2", "GitRepository", "old",
            Map.of("interval", "1m", "url", "ssh://git@example.com/repo", "gitImplementation", "go-git"))).create();
        assertThat(client.genericKubernetesResources(GIT_BETA).inNamespace("default").withName("old").get()
            .<String>get("spec", "gitImplementation")).isEqualTo("go-git");
        client.resource(object("source.toolkit.fluxcd.io/v1", "GitRepository", "new",
            Map.of("interval", "1m", "url", "ssh://git@example.com/repo", "gitImplementation", "go-git"))).create();
        assertThat(client.genericKubernetesResources(GIT).inNamespace("default").withName("new").get()
            .<Map<String, Object>>get("spec")).doesNotContainKey("gitImplementation");
    }

    /**
     * Versions Flux v2.7 dropped but Conflux serves (from Flux v2.6.4's CRDs) take objects written for Flux v0.x, such
     * as the fixtures' v2beta1 HelmRelease, validated and pruned with that version's own schema.
     */
    @Test
    void olderVersionsConfluxKeepsServingTakeObjectsOfFluxV0Repositories() throws Exception {
        client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
            .withName("goldpinger").endMetadata().build()).create();
        java.nio.file.Path fixture = java.nio.file.Path.of("..", "..", "shared", "fixtures", "repos", "ecs-apps-example",
            "sites", "new_york", "goldpinger-helm.yaml");
        try (var in = java.nio.file.Files.newInputStream(fixture)) {
            for (var object : client.load(in).items()) {
                if (!object.getKind().equals("Namespace")) {
                    client.resource(object).create();
                }
            }
        }
        var hr = client.genericKubernetesResources(context("helm.toolkit.fluxcd.io", "v2beta1", "HelmRelease",
            "helmreleases")).inNamespace("goldpinger").withName("okgolove").get();
        assertThat(hr.<Object>get("spec", "install", "remediation", "retries")).isEqualTo(3);

        // v2beta1's chart.spec.valuesFile (gone from v2) is kept; a v1beta1 Kustomization keeps spec.validation
        var old = object("helm.toolkit.fluxcd.io/v2beta1", "HelmRelease", "old", Map.of("interval", "10m",
            "chart", Map.of("spec", Map.of("chart", "podinfo", "valuesFile", "values-prod.yaml",
                "sourceRef", Map.of("kind", "HelmRepository", "name", "podinfo")))));
        client.resource(old).create();
        assertThat(client.genericKubernetesResources(context("helm.toolkit.fluxcd.io", "v2beta1", "HelmRelease",
            "helmreleases")).inNamespace("default").withName("old").get()
            .<String>get("spec", "chart", "spec", "valuesFile")).isEqualTo("values-prod.yaml");
        client.resource(object("kustomize.toolkit.fluxcd.io/v1beta1", "Kustomization", "old", Map.of("interval", "10m",
            "prune", true, "validation", "client", "sourceRef", sourceRef()))).create();
        assertThat(client.genericKubernetesResources(context("kustomize.toolkit.fluxcd.io", "v1beta1", "Kustomization",
            "kustomizations")).inNamespace("default").withName("old").get().<String>get("spec", "validation"))
            .isEqualTo("client");
        // and validated by it: v1beta1's spec.validation enum
        Status status = refused(() -> client.resource(object("kustomize.toolkit.fluxcd.io/v1beta1", "Kustomization",
            "bad", Map.of("interval", "10m", "prune", true, "validation", "always", "sourceRef", sourceRef()))).create());
        assertThat(status.getDetails().getCauses()).extracting(StatusCause::getField).containsExactly("spec.validation");
    }

    @Test
    void crdsAreEstablishedWithAcceptedNamesAndStoredVersions() {
        CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions()
            .withName("kustomizations.kustomize.toolkit.fluxcd.io").get();
        assertThat(crd.getStatus().getConditions()).extracting(CustomResourceDefinitionCondition::getType,
            CustomResourceDefinitionCondition::getStatus, CustomResourceDefinitionCondition::getReason)
            .containsExactlyInAnyOrder(tuple("NamesAccepted", "True", "NoConflicts"),
                tuple("Established", "True", "InitialNamesAccepted"));
        assertThat(crd.getStatus().getAcceptedNames().getKind()).isEqualTo("Kustomization");
        assertThat(crd.getStatus().getAcceptedNames().getShortNames()).containsExactly("ks");
        assertThat(crd.getStatus().getStoredVersions()).containsExactly("v1");
        // installing again keeps it so
        kube.installCrds(InMemoryKubernetesTest.CRDS);
        assertThat(client.apiextensions().v1().customResourceDefinitions()
            .withName("kustomizations.kustomize.toolkit.fluxcd.io").get().getStatus().getStoredVersions())
            .containsExactly("v1");
    }

    @Test
    void aCrdWhoseNamesAnotherCrdOfTheGroupHoldsIsNeverEstablished() {
        var crds = client.apiextensions().v1().customResourceDefinitions();
        // "ks" is the short name of kustomizations.kustomize.toolkit.fluxcd.io
        CustomResourceDefinition clash = crds.withName("kustomizations.kustomize.toolkit.fluxcd.io").get();
        clash.getMetadata().setName("kaystacks.kustomize.toolkit.fluxcd.io");
        clash.getMetadata().setResourceVersion(null);
        clash.getMetadata().setManagedFields(null);
        clash.getMetadata().setUid(null);
        clash.setStatus(null);
        clash.getSpec().getNames().setPlural("kaystacks");
        clash.getSpec().getNames().setSingular("kaystack");
        clash.getSpec().getNames().setKind("KayStack");
        clash.getSpec().getNames().setListKind("KayStackList");
        clash.getSpec().getNames().setShortNames(List.of("ks"));
        client.resource(clash).create();

        CustomResourceDefinition stored = crds.withName("kaystacks.kustomize.toolkit.fluxcd.io").get();
        assertThat(stored.getStatus().getConditions()).extracting(CustomResourceDefinitionCondition::getType,
            CustomResourceDefinitionCondition::getStatus, CustomResourceDefinitionCondition::getReason,
            CustomResourceDefinitionCondition::getMessage)
            .containsExactlyInAnyOrder(tuple("NamesAccepted", "False", "ShortNamesConflict", "\"ks\" is already in use"),
                tuple("Established", "False", "NotAccepted", "not all names are accepted"));
        assertThat(stored.getStatus().getAcceptedNames().getKind()).isEqualTo("KayStack");
        assertThat(stored.getStatus().getAcceptedNames().getShortNames()).isEmpty();
        // the CRD holding the name keeps it
        assertThat(crds.withName("kustomizations.kustomize.toolkit.fluxcd.io").get().getStatus().getConditions())
            .extracting(CustomResourceDefinitionCondition::getStatus).containsOnly("True");
    }

    @Test
    void aCrdUpdateDroppingAStoredVersionIsRefused() {
        var crds = client.apiextensions().v1().customResourceDefinitions();
        // move the storage version to v1beta2: objects may now be stored in v1 and in v1beta2
        CustomResourceDefinition crd = crds.withName("kustomizations.kustomize.toolkit.fluxcd.io").get();
        crd.getSpec().getVersions().forEach(v -> v.setStorage(v.getName().equals("v1beta2")));
        crd.getMetadata().setManagedFields(null);
        crd.getMetadata().setResourceVersion(null);
        client.resource(crd).fieldManager("conflux").forceConflicts().serverSideApply();
        assertThat(crds.withName(crd.getMetadata().getName()).get().getStatus().getStoredVersions())
            .containsExactly("v1", "v1beta2");

        CustomResourceDefinition dropped = crds.withName(crd.getMetadata().getName()).get();
        dropped.getSpec().getVersions().removeIf(v -> v.getName().equals("v1"));
        dropped.getMetadata().setManagedFields(null);
        dropped.getMetadata().setResourceVersion(null);
        Status status = refused(() -> client.resource(dropped).fieldManager("conflux").forceConflicts()
            .serverSideApply());
        assertThat(status.getMessage()).isEqualTo("CustomResourceDefinition.apiextensions.k8s.io "
            + "\"kustomizations.kustomize.toolkit.fluxcd.io\" is invalid: status.storedVersions[0]: "
            + "Invalid value: \"v1\": must appear in spec.versions");
        assertThat(crds.withName(crd.getMetadata().getName()).get().getSpec().getVersions()).hasSize(3);

        // two storage versions are refused too
        CustomResourceDefinition two = crds.withName(crd.getMetadata().getName()).get();
        two.getSpec().getVersions().forEach(v -> v.setStorage(true));
        two.getMetadata().setManagedFields(null);
        two.getMetadata().setResourceVersion(null);
        assertThat(refused(() -> client.resource(two).update()).getDetails().getCauses())
            .extracting(StatusCause::getField).containsExactly("spec.versions");
    }

    @Test
    void versionsNotServedAreGoneFromPathsAndDiscovery() throws Exception {
        client.resource(object("source.toolkit.fluxcd.io/v1", "GitRepository", "repo",
            Map.of("interval", "1m", "url", "https://example.com/repo"))).create();
        var crds = client.apiextensions().v1().customResourceDefinitions();
        CustomResourceDefinition crd = crds.withName("gitrepositories.source.toolkit.fluxcd.io").get();
        crd.getSpec().getVersions().forEach(v -> v.setServed(!v.getName().equals("v1beta2")));
        crd.getMetadata().setManagedFields(null);
        crd.getMetadata().setResourceVersion(null);
        client.resource(crd).fieldManager("conflux").forceConflicts().serverSideApply();

        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.util.function.Function<String, java.net.http.HttpResponse<String>> get = path -> {
            try {
                return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(kube.url() + path)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        assertThat(get.apply("/apis/source.toolkit.fluxcd.io/v1beta2/namespaces/default/gitrepositories/repo")
            .statusCode()).isEqualTo(404);
        assertThat(get.apply("/apis/source.toolkit.fluxcd.io/v1beta2/gitrepositories").statusCode()).isEqualTo(404);
        assertThat(get.apply("/apis/source.toolkit.fluxcd.io/v1/namespaces/default/gitrepositories/repo")
            .statusCode()).isEqualTo(200);
        // v1beta2 is still served for the other kinds of the group, no longer for GitRepository
        assertThat(get.apply("/apis/source.toolkit.fluxcd.io/v1beta2").body()).contains("\"HelmRepository\"")
            .doesNotContain("\"GitRepository\"");
    }

    /**
     * As kube-apiserver: a CRD removed deletes its objects (watchers see them DELETED), ends the watches open on it,
     * its paths answer 404 and discovery drops it, so an informer stops watching; written again, it serves, and the
     * informer watches again by itself. A served version turned off ends the watches of that version too.
     */
    @Test
    void aRemovedCrdEndsItsWatchesAnswers404AndLeavesDiscoveryUntilItIsBack() throws Exception {
        var crds = client.apiextensions().v1().customResourceDefinitions();
        String name = "kustomizations.kustomize.toolkit.fluxcd.io";
        CustomResourceDefinition crd = crds.withName(name).get();
        client.genericKubernetesResources(KS).inNamespace("default").resource(kustomization("apps",
            Map.of("interval", "1m", "prune", true, "sourceRef", sourceRef()))).create();
        var informer = client.genericKubernetesResources(KS).inAnyNamespace().runnableInformer(0);
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.util.function.Function<String, java.net.http.HttpResponse<String>> get = path -> {
            try {
                return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(kube.url() + path)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        try {
            informer.start().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
            until(informer::isWatching);
            assertThat(informer.getStore().list()).hasSize(1);

            crds.withName(name).delete();
            until(() -> !informer.isWatching());
            // the DELETED events came before the watch's end, but the informer applies them to its store on its own
            // thread, which may not have done so when the end is seen (a CI run under load saw the store not yet empty)
            until(() -> informer.getStore().list().isEmpty());
            assertThat(informer.getStore().list()).as("the objects went, DELETED, before the watch ended").isEmpty();
            assertThat(get.apply("/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations").statusCode()).isEqualTo(404);
            assertThat(get.apply("/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/default/kustomizations/apps")
                .statusCode()).isEqualTo(404);
            assertThat(get.apply("/apis").body()).doesNotContain("kustomize.toolkit.fluxcd.io");

            crd.getMetadata().setResourceVersion(null);
            crd.getMetadata().setUid(null);
            crd.getMetadata().setManagedFields(null);
            crd.setStatus(null);
            crds.resource(crd).create();
            until(informer::isWatching);
            assertThat(get.apply("/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations").statusCode()).isEqualTo(200);
            assertThat(get.apply("/apis").body()).contains("kustomize.toolkit.fluxcd.io");

            CustomResourceDefinition stored = crds.withName(name).get();
            stored.getSpec().getVersions().forEach(v -> v.setServed(!v.getName().equals("v1")));
            stored.getMetadata().setManagedFields(null);
            stored.getMetadata().setResourceVersion(null);
            client.resource(stored).fieldManager("conflux").forceConflicts().serverSideApply();
            until(() -> !informer.isWatching());
            assertThat(get.apply("/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations").statusCode()).isEqualTo(404);
        } finally {
            informer.close();
        }
    }

    private static void until(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 60s");
            }
            Thread.sleep(50);
        }
    }
}

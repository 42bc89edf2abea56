package io.conflux.model.fields;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The detector of fields Conflux does not act on: known-unsupported, unknown (typos, newer Flux), nested, lists. */
class FieldSupportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Map<String, Object> object(String json) throws Exception {
        return JSON.readValue(json, new TypeReference<>() { });
    }

    @Test
    void reportsUnsupportedAndUnknownFieldsOfAKustomizationByPath() throws Exception {
        Map<String, Object> kustomization = object("""
                {"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
                 "metadata": {"name": "apps", "namespace": "flux-system"},
                 "spec": {"interval": "10m", "path": "./apps", "prune": true,
                          "sourceRef": {"kind": "GitRepository", "name": "flux-system"},
                          "healthCheckExprs": [{"apiVersion": "v1", "kind": "X", "current": "true", "currrent": "x"}],
                          "deletionPolicy": "Orphan", "buildMetadata": ["originAnnotations"],
                          "dependsOn": [{"name": "infra", "readyExpr": "dep.status.ready"}, {"name": "crds", "readyExpr": "x"}],
                          "kubeConfig": {"configMapRef": {"name": "aks"}},
                          "postBuild": {"substitute": {"any_name": "kept"}, "substituteFrom": [{"kind": "ConfigMap", "name": "v"}]},
                          "prunne": true},
                 "status": {"whatever": 1}}""");
        List<UnsupportedField> found = FieldSupport.unsupported("Kustomization", "kustomize.toolkit.fluxcd.io/v1", kustomization);
        assertThat(found).extracting(UnsupportedField::path).containsExactly("spec.healthCheckExprs[].currrent",
                "spec.buildMetadata", "spec.kubeConfig.configMapRef", "spec.prunne");
        assertThat(found).extracting(UnsupportedField::known).containsExactly(false, true, true, false);
        assertThat(found.get(3).reason()).contains("typo").contains("newer Flux release");
        assertThat(FieldSupport.message(found)).startsWith("Conflux does not act on spec.healthCheckExprs[].currrent (")
                .contains("spec.kubeConfig.configMapRef (workload identity is not implemented");
    }

    @Test
    void aFullySupportedObjectAndFreeFormTreesReportNothing() throws Exception {
        Map<String, Object> release = object("""
                {"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease", "metadata": {"name": "podinfo"},
                 "spec": {"interval": "5m", "chart": {"spec": {"chart": "podinfo", "anything": {"deep": 1}}},
                          "values": {"replicaCount": 2, "ingress": {"enabled": true}},
                          "install": {"createNamespace": true}}}""");
        assertThat(FieldSupport.unsupported("HelmRelease", "helm.toolkit.fluxcd.io/v2", release)).isEmpty();
        assertThat(FieldSupport.unsupported("ConfigMap", "v1", Map.of("spec", Map.of("x", 1)))).isEmpty();
        assertThat(FieldSupport.unsupported("Kustomization", "kustomize.toolkit.fluxcd.io/v1", Map.of())).isEmpty();
    }

    @Test
    void sourcesOfIssue13AreCheckedFieldByField() throws Exception {
        Map<String, Object> oci = object("""
                {"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "OCIRepository",
                 "spec": {"url": "oci://ghcr.io/org/manifests", "ref": {"tag": "latest"}, "interval": "5m",
                          "layerSelector": {"mediaType": "application/vnd.cncf.flux.content.v1.tar+gzip"},
                          "verify": {"provider": "cosign"}}}""");
        assertThat(FieldSupport.unsupported("OCIRepository", "source.toolkit.fluxcd.io/v1", oci))
                .singleElement().extracting(UnsupportedField::path).isEqualTo("spec.verify");
        Map<String, Object> generator = object("""
                {"apiVersion": "source.extensions.fluxcd.io/v1beta1", "kind": "ArtifactGenerator",
                 "spec": {"sources": [{"alias": "repo", "kind": "GitRepository", "name": "monorepo"}],
                          "artifacts": [{"name": "apps", "copy": [{"from": "@repo/apps/**", "to": "@artifact/",
                                                                   "strategy": "Merge"}]}],
                          "pathPattern": "@repo/{name}"}}""");
        assertThat(FieldSupport.unsupported("ArtifactGenerator", "source.extensions.fluxcd.io/v1beta1", generator))
                .singleElement().extracting(UnsupportedField::path).isEqualTo("spec.pathPattern");
        Map<String, Object> chart = object("""
                {"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "HelmChart",
                 "spec": {"chart": "podinfo", "sourceRef": {"kind": "HelmRepository", "name": "podinfo"},
                          "interval": "5m", "valuesFiles": ["values.yaml"]}}""");
        assertThat(FieldSupport.unsupported("HelmChart", "source.toolkit.fluxcd.io/v1", chart)).isEmpty();
    }

    @Test
    void everyRowIsWellFormedAndUnique() {
        FieldSupport table = FieldSupport.flux();
        assertThat(table.rules()).isNotEmpty().allSatisfy(rule -> {
            assertThat(rule.path()).matches("spec(\\.[A-Za-z0-9]+(\\[\\])?)*");
            if (rule.support() != Support.YES) {
                assertThat(rule.note()).as("%s %s needs a note", rule.kind(), rule.path()).isNotBlank();
            }
        });
        assertThat(table.rules()).extracting(r -> r.kind() + " " + r.path()).doesNotHaveDuplicates();
    }
}

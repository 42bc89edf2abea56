package io.conflux.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * deploy/crds (the chart's crds/ directory) holds Flux v2.7's own CRDs (written by deploy/refresh-crds.sh): every kind
 * Conflux serves, Flux's served versions and storage version plus the older versions Conflux keeps serving (taken from
 * Flux v2.6.4, the last release serving them), real schemas, Flux's printer columns, and Conflux's label.
 */
class FluxCrdsTest {

    static Stream<Arguments> crds() {
        return Stream.of(
            Arguments.of("gitrepositories.yaml", "gitrepositories.source.toolkit.fluxcd.io", "GitRepository", List.of("v1", "v1beta2", "v1beta1"), "v1", List.of("gitrepo"), "source-controller"),
            Arguments.of("helmrepositories.yaml", "helmrepositories.source.toolkit.fluxcd.io", "HelmRepository", List.of("v1", "v1beta2", "v1beta1"), "v1", List.of("helmrepo"), "source-controller"),
            Arguments.of("helmcharts.yaml", "helmcharts.source.toolkit.fluxcd.io", "HelmChart", List.of("v1", "v1beta2"), "v1", List.of("hc"), "source-controller"),
            Arguments.of("ocirepositories.yaml", "ocirepositories.source.toolkit.fluxcd.io", "OCIRepository", List.of("v1", "v1beta2"), "v1", List.of("ocirepo"), "source-controller"),
            Arguments.of("buckets.yaml", "buckets.source.toolkit.fluxcd.io", "Bucket", List.of("v1", "v1beta2"), "v1", List.of(), "source-controller"),
            Arguments.of("externalartifacts.yaml", "externalartifacts.source.toolkit.fluxcd.io", "ExternalArtifact", List.of("v1"), "v1", List.of(), "source-controller"),
            Arguments.of("artifactgenerators.yaml", "artifactgenerators.source.extensions.fluxcd.io", "ArtifactGenerator", List.of("v1beta1"), "v1beta1", List.of("ag"), "source-watcher"),
            Arguments.of("kustomizations.yaml", "kustomizations.kustomize.toolkit.fluxcd.io", "Kustomization", List.of("v1", "v1beta2", "v1beta1"), "v1", List.of("ks"), "kustomize-controller"),
            Arguments.of("helmreleases.yaml", "helmreleases.helm.toolkit.fluxcd.io", "HelmRelease", List.of("v2", "v2beta2", "v2beta1"), "v2", List.of("hr"), "helm-controller"),
            Arguments.of("providers.yaml", "providers.notification.toolkit.fluxcd.io", "Provider", List.of("v1beta2", "v1beta3", "v1beta1"), "v1beta3", List.of(), "notification-controller"),
            Arguments.of("alerts.yaml", "alerts.notification.toolkit.fluxcd.io", "Alert", List.of("v1beta2", "v1beta3", "v1beta1"), "v1beta3", List.of(), "notification-controller"),
            Arguments.of("receivers.yaml", "receivers.notification.toolkit.fluxcd.io", "Receiver", List.of("v1", "v1beta2", "v1beta1"), "v1", List.of(), "notification-controller"));
    }

    static CustomResourceDefinition read(String file) throws Exception {
        try (InputStream in = Files.newInputStream(InMemoryKubernetesTest.CRDS.resolve(file))) {
            return Serialization.unmarshal(in, CustomResourceDefinition.class);
        }
    }

    @ParameterizedTest
    @MethodSource("crds")
    void declaresFluxsVersionsSchemasAndColumns(String file, String name, String kind, List<String> versions,
                                                String storage, List<String> shortNames) throws Exception {
        CustomResourceDefinition crd = read(file);
        assertThat(crd.getMetadata().getName()).isEqualTo(name);
        assertThat(crd.getMetadata().getLabels()).containsEntry("app.kubernetes.io/part-of", "conflux");
        assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
        assertThat(crd.getSpec().getNames().getKind()).isEqualTo(kind);
        assertThat(crd.getSpec().getNames().getShortNames()).containsExactlyElementsOf(shortNames);
        assertThat(crd.getSpec().getVersions()).extracting(CustomResourceDefinitionVersion::getName)
            .containsExactlyElementsOf(versions);
        assertThat(crd.getSpec().getVersions()).filteredOn(CustomResourceDefinitionVersion::getStorage)
            .extracting(CustomResourceDefinitionVersion::getName).containsExactly(storage);
        for (CustomResourceDefinitionVersion v : crd.getSpec().getVersions()) {
            assertThat(v.getServed()).isTrue();
            var schema = v.getSchema().getOpenAPIV3Schema();
            assertThat(schema.getType()).isEqualTo("object");
            // a real schema: the spec declares its fields instead of preserving whatever comes
            assertThat(schema.getProperties().get("spec").getXKubernetesPreserveUnknownFields()).isNull();
            assertThat(schema.getProperties().get("spec").getProperties()).isNotEmpty();
            if (kind.matches("Alert|Provider") && v.getName().equals("v1beta3")) {
                // Flux's v1beta3 Alert and Provider have no status at all
                assertThat(schema.getProperties()).doesNotContainKey("status");
                assertThat(v.getSubresources().getStatus()).isNull();
                continue;
            }
            assertThat(v.getSubresources().getStatus()).isNotNull();
            assertThat(v.getAdditionalPrinterColumns()).extracting(CustomResourceColumnDefinition::getName)
                .contains("Age", "Ready", "Status");
            assertThat(v.getAdditionalPrinterColumns()).filteredOn(c -> c.getName().equals("Ready"))
                .singleElement().extracting(CustomResourceColumnDefinition::getJsonPath)
                .isEqualTo(".status.conditions[?(@.type==\"Ready\")].status");
        }
    }

    /**
     * Every version Conflux served before it shipped Flux's CRDs (the hand-written CRDs of main before #13) stays
     * served: repositories bootstrapped by Flux v0.x and early v2.x use them, and a version that disappears stops the
     * informers watching it. The expected lists are those hand-written CRDs' served versions, kept here by hand.
     */
    @ParameterizedTest
    @CsvSource(delimiter = ' ', value = {
        "gitrepositories.yaml v1,v1beta2,v1beta1",
        "helmrepositories.yaml v1,v1beta2,v1beta1",
        "helmcharts.yaml v1,v1beta2",
        "ocirepositories.yaml v1,v1beta2",
        "buckets.yaml v1,v1beta2",
        "externalartifacts.yaml v1",
        "artifactgenerators.yaml v1beta1",
        "kustomizations.yaml v1,v1beta2,v1beta1",
        "helmreleases.yaml v2,v2beta2,v2beta1",
        "alerts.yaml v1beta3,v1beta2,v1beta1",
        "providers.yaml v1beta3,v1beta2,v1beta1",
        "receivers.yaml v1,v1beta2,v1beta1"})
    void everyVersionConfluxServedStaysServed(String file, String servedBefore) throws Exception {
        assertThat(read(file).getSpec().getVersions()).filteredOn(CustomResourceDefinitionVersion::getServed)
            .extracting(CustomResourceDefinitionVersion::getName)
            .containsAll(List.of(servedBefore.split(",")));
    }

    /** A version Flux v2.7 dropped is Flux v2.6.4's entry, served but never the storage version, its source named. */
    @ParameterizedTest
    @CsvSource(delimiter = ' ', value = {
        "gitrepositories.yaml v1beta1 source-controller v1.6.2",
        "helmrepositories.yaml v1beta1 source-controller v1.6.2",
        "kustomizations.yaml v1beta1 kustomize-controller v1.6.1",
        "helmreleases.yaml v2beta1 helm-controller v1.3.0",
        "alerts.yaml v1beta1 notification-controller v1.6.0",
        "providers.yaml v1beta1 notification-controller v1.6.0",
        "receivers.yaml v1beta1 notification-controller v1.6.0"})
    void olderVersionsComeFromTheLastFluxReleaseServingThem(String file, String version, String component, String tag)
        throws Exception {
        assertThat(read(file).getSpec().getVersions()).filteredOn(v -> v.getName().equals(version)).singleElement()
            .satisfies(v -> {
                assertThat(v.getServed()).isTrue();
                assertThat(v.getStorage()).isFalse();
                assertThat(v.getSchema().getOpenAPIV3Schema().getProperties().get("spec").getProperties()).isNotEmpty();
            });
        assertThat(Files.readString(InMemoryKubernetesTest.CRDS.resolve(file))).containsPattern("(?m)^# Version "
            + version + " \\(dropped by Flux v2\\.7\\.\\d+, still served by Conflux, served: true, storage: false\\): "
            + "fluxcd/flux2 v2\\.6\\.4, https://github.com/fluxcd/" + component + " tag " + tag.replace(".", "\\.") + " path ");
    }

    /** Each file says where it came from, as refresh-crds.sh writes it, and holds one CRD. */
    @ParameterizedTest
    @MethodSource("crds")
    void recordsItsSourceAndHoldsOneCrd(String file, String name, String kind, List<String> versions, String storage,
                                        List<String> shortNames, String component) throws Exception {
        String text = Files.readString(InMemoryKubernetesTest.CRDS.resolve(file));
        assertThat(text).startsWith("# Flux's CustomResourceDefinition, written by deploy/refresh-crds.sh")
            .containsPattern("(?m)^# Flux release: fluxcd/flux2 v2\\.7\\.\\d+ ")
            .containsPattern("(?m)^# Source: https://github.com/fluxcd/" + component + " tag v[0-9.]+ path "
                + "config/crd/bases/[a-z.]+_" + name.substring(0, name.indexOf('.')) + "\\.yaml$");
        assertThat(text.split("(?m)^---\\s*$")).hasSize(1);
    }

    /** source-controller's {@code spec.url} patterns, on every served version, so the API server refuses the rest. */
    @ParameterizedTest
    @CsvSource(delimiter = ' ', value = {
        "gitrepositories.yaml ^(http|https|ssh)://.*$ v1,v1beta2,v1beta1",
        "helmrepositories.yaml ^(http|https|oci)://.*$ v1,v1beta2",
        "ocirepositories.yaml ^oci://.*$ v1,v1beta2"})
    void sourceUrlsCarryFluxsPattern(String file, String pattern, String versions) throws Exception {
        // (HelmRepository v1beta1 has no pattern in source-controller v1.6.2, the last release serving it)
        assertThat(read(file).getSpec().getVersions()).filteredOn(v -> versions.contains(v.getName()))
            .hasSize(versions.split(",").length).allSatisfy(v -> {
            var url = v.getSchema().getOpenAPIV3Schema().getProperties().get("spec").getProperties().get("url");
            assertThat(url.getType()).isEqualTo("string");
            assertThat(url.getPattern()).isEqualTo(pattern);
        });
    }

    /** Nothing else lies in deploy/crds (the chart's crds/, which Helm reads whole) but the twelve CRDs. */
    @org.junit.jupiter.api.Test
    void theDirectoryHoldsExactlyTheFluxCrds() throws Exception {
        try (Stream<Path> files = Files.list(InMemoryKubernetesTest.CRDS)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                .containsExactlyInAnyOrderElementsOf(crds().map(a -> (String) a.get()[0]).toList());
        }
    }
}

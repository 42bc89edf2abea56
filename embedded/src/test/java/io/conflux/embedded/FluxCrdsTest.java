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

/** The hand-written CRDs in deploy/crds declare what Flux users' manifests need. */
class FluxCrdsTest {

    static Stream<Arguments> crds() {
        return Stream.of(
            Arguments.of("gitrepositories.yaml", "gitrepositories.source.toolkit.fluxcd.io", "GitRepository", List.of("v1", "v1beta2", "v1beta1"), "v1", List.of("gitrepo")),
            Arguments.of("helmrepositories.yaml", "helmrepositories.source.toolkit.fluxcd.io", "HelmRepository", List.of("v1", "v1beta2", "v1beta1"), "v1", List.of("helmrepo")),
            Arguments.of("kustomizations.yaml", "kustomizations.kustomize.toolkit.fluxcd.io", "Kustomization", List.of("v1", "v1beta2", "v1beta1"), "v1", List.of("ks")),
            Arguments.of("helmreleases.yaml", "helmreleases.helm.toolkit.fluxcd.io", "HelmRelease", List.of("v2", "v2beta2", "v2beta1"), "v2", List.of("hr")),
            Arguments.of("providers.yaml", "providers.notification.toolkit.fluxcd.io", "Provider", List.of("v1beta3", "v1beta2", "v1beta1"), "v1beta3", List.of()),
            Arguments.of("alerts.yaml", "alerts.notification.toolkit.fluxcd.io", "Alert", List.of("v1beta3", "v1beta2", "v1beta1"), "v1beta3", List.of()),
            Arguments.of("receivers.yaml", "receivers.notification.toolkit.fluxcd.io", "Receiver", List.of("v1", "v1beta2", "v1beta1"), "v1", List.of()));
    }

    @ParameterizedTest
    @MethodSource("crds")
    void declaresVersionsScopeSubresourcesAndColumns(String file, String name, String kind, List<String> versions,
                                                      String storage, List<String> shortNames) throws Exception {
        CustomResourceDefinition crd;
        try (InputStream in = Files.newInputStream(InMemoryKubernetesTest.CRDS.resolve(file))) {
            crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
        }
        assertThat(crd.getMetadata().getName()).isEqualTo(name);
        assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
        assertThat(crd.getSpec().getNames().getKind()).isEqualTo(kind);
        assertThat(crd.getSpec().getNames().getShortNames()).containsExactlyElementsOf(shortNames);
        assertThat(crd.getSpec().getConversion().getStrategy()).isEqualTo("None");
        assertThat(crd.getSpec().getVersions()).extracting(CustomResourceDefinitionVersion::getName)
            .containsExactlyElementsOf(versions);
        assertThat(crd.getSpec().getVersions()).filteredOn(CustomResourceDefinitionVersion::getStorage)
            .extracting(CustomResourceDefinitionVersion::getName).containsExactly(storage);
        for (CustomResourceDefinitionVersion v : crd.getSpec().getVersions()) {
            assertThat(v.getServed()).isTrue();
            assertThat(v.getSubresources().getStatus()).isNotNull();
            var schema = v.getSchema().getOpenAPIV3Schema();
            assertThat(schema.getType()).isEqualTo("object");
            assertThat(schema.getProperties().get("spec").getXKubernetesPreserveUnknownFields()).isTrue();
            assertThat(schema.getProperties().get("status").getXKubernetesPreserveUnknownFields()).isTrue();
            assertThat(v.getAdditionalPrinterColumns()).extracting(CustomResourceColumnDefinition::getName)
                .contains("Age", "Ready", "Status");
            assertThat(v.getAdditionalPrinterColumns()).filteredOn(c -> c.getName().equals("Ready"))
                .singleElement().extracting(CustomResourceColumnDefinition::getJsonPath)
                .isEqualTo(".status.conditions[?(@.type==\"Ready\")].status");
        }
    }

    /** source-controller's {@code spec.url} patterns, on every served version, so the API server refuses the rest. */
    @ParameterizedTest
    @CsvSource(delimiter = ' ', value = {
        "gitrepositories.yaml ^(http|https|ssh)://.*$",
        "helmrepositories.yaml ^(http|https|oci)://.*$"})
    void sourceUrlsCarryFluxsPattern(String file, String pattern) throws Exception {
        CustomResourceDefinition crd;
        try (InputStream in = Files.newInputStream(InMemoryKubernetesTest.CRDS.resolve(file))) {
            crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
        }
        assertThat(crd.getSpec().getVersions()).hasSize(3).allSatisfy(v -> {
            var url = v.getSchema().getOpenAPIV3Schema().getProperties().get("spec").getProperties().get("url");
            assertThat(url.getType()).isEqualTo("string");
            assertThat(url.getPattern()).isEqualTo(pattern);
        });
    }

    @ParameterizedTest
    @MethodSource("crds")
    void oneFilePerCrd(String file) throws Exception {
        Path path = InMemoryKubernetesTest.CRDS.resolve(file);
        assertThat(Files.readString(path).split("(?m)^---\\s*$")).hasSize(1);
    }
}

package io.conflux.applier.apply;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The toolkit-object decision on the real {@code gotk-components.yaml} of Flux v0.32.0 and v2.7.5 (the e2e fixtures)
 * against the CRDs Conflux installs ({@code deploy/crds}): every Flux controller Deployment and every CRD Conflux
 * serves is left out, everything else (the kinds Conflux does not serve included) is applied.
 */
class ToolkitObjectsFixtureTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private static List<Map<String, Object>> documents(Path file) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        try (var parser = YAML.getFactory().createParser(file.toFile())) {
            var values = YAML.readValues(parser, new TypeReference<Map<String, Object>>() { });
            while (values.hasNext()) {
                Map<String, Object> doc = values.next();
                if (doc != null && !doc.isEmpty()) {
                    out.add(JSON.convertValue(doc, new TypeReference<Map<String, Object>>() { }));
                }
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ToolkitObjects.ServedCrd> confluxCrds() throws IOException {
        Map<String, ToolkitObjects.ServedCrd> out = new HashMap<>();
        try (Stream<Path> files = Files.list(Path.of("..", "deploy", "crds"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                for (Map<String, Object> crd : documents(file)) {
                    List<Map<String, Object>> versions = (List<Map<String, Object>>) ((Map<String, Object>) crd.get("spec"))
                            .get("versions");
                    out.put((String) ((Map<String, Object>) crd.get("metadata")).get("name"), new ToolkitObjects.ServedCrd(
                            versions.stream().map(v -> (String) v.get("name")).toList(),
                            versions.stream().filter(v -> Boolean.TRUE.equals(v.get("storage")))
                                    .map(v -> (String) v.get("name")).findFirst().orElseThrow()));
                }
            }
        }
        return out;
    }

    @ParameterizedTest
    @CsvSource({"flux-v0.32, 4", "flux-v2.7, 6"})
    void aRealGotkComponentsKeepsConfluxCrdsAndFluxControllersOut(String fixture, int controllers) throws IOException {
        List<Map<String, Object>> bundle = documents(Path.of("..", "e2e", "src", "test", "resources", "bootstrapped",
                fixture, "clusters", "edge", "flux-system", "gotk-components.yaml"));
        Map<String, ToolkitObjects.ServedCrd> conflux = confluxCrds();

        ToolkitObjects.Selection s = ToolkitObjects.select(bundle, conflux);

        assertThat(s.skipped()).filteredOn(k -> k.reason().equals(ToolkitObjects.FLUX_CONTROLLER_SKIPPED))
                .hasSize(controllers)
                .extracting(k -> k.object().name()).contains("source-controller", "kustomize-controller",
                        "helm-controller", "notification-controller");
        assertThat(s.skipped()).filteredOn(k -> k.reason().equals(ToolkitObjects.TOOLKIT_CRD_SKIPPED))
                .extracting(k -> k.object().name()).containsExactlyInAnyOrderElementsOf(
                        bundle.stream().filter(o -> "CustomResourceDefinition".equals(o.get("kind")))
                                .map(o -> (String) ((Map<?, ?>) o.get("metadata")).get("name"))
                                .filter(conflux::containsKey).toList())
                .contains("kustomizations.kustomize.toolkit.fluxcd.io", "gitrepositories.source.toolkit.fluxcd.io");
        assertThat(s.apply()).extracting(o -> (String) o.get("kind")).doesNotContain("Deployment")
                .contains("Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Service", "NetworkPolicy");
        assertThat(s.apply().size() + s.skipped().size()).isEqualTo(bundle.size());
    }
}

package io.conflux.model.fields;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.conflux.model.helm.HelmReleaseSpec;
import io.conflux.model.kustomize.KustomizationSpec;
import io.conflux.model.notification.AlertSpec;
import io.conflux.model.notification.ProviderSpec;
import io.conflux.model.notification.ReceiverSpec;
import io.conflux.model.source.GitRepositorySpec;
import io.conflux.model.source.HelmRepositorySpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * One source of truth: the README's "Flux semantics" table is generated from {@code flux-fields.tsv}
 * ({@code -Dconflux.write-readme=true} rewrites it), and the table covers every field of the model's spec records and
 * every {@code spec} property the CRD schemas in {@code deploy/crds} declare (today's hand-written CRDs are
 * preserve-unknown stubs; with Flux's real schemas this test names each field still missing from the table).
 */
class FieldSupportReadmeTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void readmeSectionIsTheGeneratedTable() throws IOException {
        Path readme = ROOT.resolve("README.md");
        String text = Files.readString(readme);
        int begin = text.indexOf(FluxSemanticsTable.BEGIN);
        int end = text.indexOf(FluxSemanticsTable.END);
        assertThat(begin).as("README has the markers of the generated table").isNotNegative();
        assertThat(end).isGreaterThan(begin);
        String generated = FluxSemanticsTable.markdown(FieldSupport.flux());
        String current = text.substring(begin + FluxSemanticsTable.BEGIN.length() + 1, end);
        if (Boolean.getBoolean("conflux.write-readme") && !current.equals(generated)) {
            Files.writeString(readme, text.substring(0, begin + FluxSemanticsTable.BEGIN.length() + 1) + generated
                    + text.substring(end));
            return;
        }
        assertThat(current).as("README table differs from flux-fields.tsv; run this test with -Dconflux.write-readme=true")
                .isEqualTo(generated);
    }

    @Test
    void everyFieldOfTheModelRecordsHasARow() {
        Map<String, Class<?>> specs = Map.of("Kustomization", KustomizationSpec.class, "HelmRelease", HelmReleaseSpec.class,
                "GitRepository", GitRepositorySpec.class, "HelmRepository", HelmRepositorySpec.class,
                "Receiver", ReceiverSpec.class, "Provider", ProviderSpec.class, "Alert", AlertSpec.class);
        List<String> missing = new ArrayList<>();
        specs.forEach((kind, type) -> {
            for (RecordComponent c : type.getRecordComponents()) {
                JsonProperty renamed = c.getAccessor().getAnnotation(JsonProperty.class);
                if (renamed == null) {
                    renamed = c.getAnnotation(JsonProperty.class);
                }
                String path = "spec." + (renamed != null ? renamed.value() : c.getName());
                if (FieldSupport.flux().rule(kind, path) == null) {
                    missing.add(kind + " " + path);
                }
            }
        });
        assertThat(missing).as("fields of the model records without a row in flux-fields.tsv").isEmpty();
    }

    @Test
    void everySpecPropertyOfTheCrdSchemasHasARow() throws IOException {
        List<String> missing = new ArrayList<>();
        try (Stream<Path> files = Files.list(ROOT.resolve("deploy/crds"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                Object parsed = Serialization.unmarshal(Files.readString(file), Map.class);
                if (!(parsed instanceof Map<?, ?> crd) || !"CustomResourceDefinition".equals(crd.get("kind"))) {
                    continue;
                }
                Map<?, ?> spec = (Map<?, ?>) crd.get("spec");
                String kind = String.valueOf(((Map<?, ?>) spec.get("names")).get("kind"));
                if (!FieldSupport.flux().kinds().contains(kind)) {
                    missing.add(kind + " (no rows at all)");
                    continue;
                }
                for (Object version : (List<?>) spec.get("versions")) {
                    Object schema = dig(version, "schema", "openAPIV3Schema", "properties", "spec");
                    collect(kind, "spec", schema, missing);
                }
            }
        }
        assertThat(missing.stream().distinct().toList()).as("CRD spec properties without a row in flux-fields.tsv").isEmpty();
    }

    /** Every property of {@code schema} at {@code path}, descending where the table has rows beneath. */
    private static void collect(String kind, String path, Object schema, List<String> missing) {
        FieldSupport table = FieldSupport.flux();
        FieldRule whole = table.rule(kind, path);
        if (whole != null && whole.support() == Support.NO) {
            return;
        }
        Object properties = dig(schema, "properties");
        if (properties == null) {
            properties = dig(schema, "items", "properties");
            path = path.equals("spec") ? path : path + "[]";
        }
        if (!(properties instanceof Map<?, ?> props)) {
            return;
        }
        for (Map.Entry<?, ?> p : props.entrySet()) {
            String child = path + "." + p.getKey();
            FieldRule rule = table.rule(kind, child);
            if (rule == null) {
                missing.add(kind + " " + child);
            } else if (table.rules().stream().anyMatch(r -> r.kind().equals(kind)
                    && (r.path().startsWith(child + ".") || r.path().startsWith(child + "[].")))) {
                collect(kind, child, p.getValue(), missing);
            }
        }
    }

    private static Object dig(Object node, String... keys) {
        for (String key : keys) {
            if (!(node instanceof Map<?, ?> map)) {
                return null;
            }
            node = map.get(key);
        }
        return node;
    }
}

package io.conflux.kustomize.internal.transform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The file-path insertion and field-path splitting of {@link ValueAddTransformer}, on kyaml's own tables. */
class ValueAddTransformerTest {

    /** kyaml filesys.InsertPathPart's documented table, with part PEACH ({@code ''} is the empty path). */
    @ParameterizedTest
    @CsvSource({
        "'', 0, PEACH",
        "/, 0, /PEACH",
        "pie, 0, PEACH/pie",
        "pie, -3, PEACH/pie",
        "/pie, 0, /PEACH/pie",
        "raw, 1, raw/PEACH",
        "raw, 9999, raw/PEACH",
        "/raw, 1, /raw/PEACH",
        "a/nice/warm/pie, 3, a/nice/warm/PEACH/pie",
        "/a/nice/warm/pie, 3, /a/nice/warm/PEACH/pie",
        "projects, 1, projects/PEACH",
    })
    void insertsAPathPartAsKyamlDoes(String path, int pos, String expected) {
        assertThat(ValueAddTransformer.insertPathPart(path, pos, "PEACH")).isEqualTo(expected);
    }

    @Test
    void anEscapedSlashStaysInTheField() {
        assertThat(ValueAddTransformer.split("metadata/annotations/example.com\\/project"))
            .isEqualTo(List.of("metadata", "annotations", "example.com/project"));
    }
}

package io.conflux.renderer.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Flux's envsubst forms. {@code envsubst-cases.jsonl} is the test table of fluxcd/pkg {@code envsubst/eval_test.go}
 * ({@code TestExpand}, non-strict, and {@code TestExpandStrict}; cases from drone/envsubst, MIT), turned into data:
 * the differential check against Flux's own expectations.
 */
class EnvsubstTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Case(boolean strict, Map<String, String> params, String input, String output, String error) {
        @Override
        public String toString() {
            return (strict ? "strict " : "") + input;
        }
    }

    static List<Case> fluxCases() throws IOException {
        List<Case> cases = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Objects.requireNonNull(
                EnvsubstTest.class.getResourceAsStream("envsubst-cases.jsonl")), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.isBlank()) {
                    Map<String, Object> m = JSON.readValue(line, new TypeReference<>() { });
                    @SuppressWarnings("unchecked")
                    Map<String, String> params = (Map<String, String>) m.get("params");
                    cases.add(new Case((Boolean) m.get("strict"), params, (String) m.get("input"),
                            (String) m.get("output"), (String) m.get("error")));
                }
            }
        }
        return cases;
    }

    @Test
    void fluxTableIsComplete() throws IOException {
        assertThat(fluxCases()).hasSize(57);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fluxCases")
    void fluxTestTable(Case c) {
        if (c.error() != null) {
            assertThatThrownBy(() -> Envsubst.expand(c.input(), c.params(), c.strict()))
                    .isInstanceOf(Envsubst.VariableNotSet.class).hasMessageContaining(c.error());
        } else {
            assertThat(Envsubst.expand(c.input(), c.params(), c.strict())).isEqualTo(c.output());
        }
    }

    /** Every form the issue lists, on one value; '|' separates expected from input in the table. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "${v}                  | Hello-World.txt",
            "${u:=d}               | d",
            "${v:=d}               | Hello-World.txt",
            "${u:-d}               | d",
            "${e:-d}               | d",
            "${u=d}                | d",
            "${e=d}                | d",
            "${u:?d}               | d",
            "${u:+d}               | d",
            "$${v}                 | ${v}",
            "$$v and $v            | $v and $v",
            "${#v}                 | 15",
            "${v:6}                | World.txt",
            "${v:6:5}              | World",
            "${v:-3}               | Hello-World.txt",
            "${v: -3}              | Hello-World.txt",
            "${v:x}                | Hello-World.txt",
            "${v:100}              | \"\"",
            "${v:2:100}            | llo-World.txt",
            "${v/o/0}              | Hell0-World.txt",
            "${v//o/0}             | Hell0-W0rld.txt",
            "${v//o/}              | Hell-Wrld.txt",
            "${v/#Hello/Bye}       | Bye-World.txt",
            "${v/#World/Bye}       | Hello-World.txt",
            "${v/%txt/md}          | Hello-World.md",
            "${v/%txt/}            | Hello-World.txt",
            "${v#*o}               | -World.txt",
            "${v##*o}              | rld.txt",
            "${v%.*}               | Hello-World",
            "${v%%o*}              | Hell",
            "${v#[A-Z]}            | ello-World.txt",
            "${v#[^A-Z]}           | Hello-World.txt",
            "${v#[}                | Hello-World.txt",
            "${v^}                 | Hello-World.txt",
            "${l^}                 | Hello-World.txt",
            "${v^^}                | HELLO-WORLD.TXT",
            "${v,}                 | hello-World.txt",
            "${v,,}                | hello-world.txt",
            "${p//\\//-}           | a-b-c",
            "${u:=${v:0:5}}-x      | Hello-x",
            "${u:=a${e:=b}c}       | abc",
            "${v:${n}:${n}}        | ll",
    })
    void everyForm(String input, String expected) {
        Map<String, String> vars = Map.of("v", "Hello-World.txt", "l", "hello-World.txt", "e", "", "p", "a/b/c",
                "n", "2");
        assertThat(Envsubst.expand(input, vars, false)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "${v-d}     | missing closing brace",
            "${v?d}     | missing closing brace",
            "${v        | missing closing brace",
            "${}        | unable to parse variable name",
            "${-v}      | unable to parse variable name",
            "${#}       | bad substitution",
            "${v^^^}    | bad substitution",
            "${v:=d     | unable to parse substitution within function",
            "${v#}      | unable to parse substitution within function",
            "${v/a}     | bad substitution",
            "${v//o}    | bad substitution",
            "${v:1x${v}}| bad substitution",
            "${v:2:-1}  | negative length",
    })
    void formsFluxRejectsFail(String input, String message) {
        assertThatThrownBy(() -> Envsubst.expand(input, Map.of("v", "abcdef"), false))
                .isInstanceOf(Envsubst.EnvsubstException.class).hasMessageContaining(message);
    }

    @Test
    void strictModeNamesTheVariableAndAcceptsDefaultsOnly() {
        Map<String, String> vars = Map.of("set", "", "x", "1");
        assertThat(Envsubst.expand("${set}|${set^^}|${gone:=d}|${gone:-d}|${gone=d}|$${gone}", vars, true))
                .isEqualTo("||d|d|d|${gone}");
        assertThatThrownBy(() -> Envsubst.expand("a: ${x}\nb: ${cluster_region}", vars, true))
                .isInstanceOf(Envsubst.VariableNotSet.class)
                .hasMessage("variable not set (strict mode): \"cluster_region\"")
                .extracting(e -> ((Envsubst.VariableNotSet) e).variable()).isEqualTo("cluster_region");
        assertThatThrownBy(() -> Envsubst.expand("${x:=${inner}}", vars, true))
                .as("arguments are evaluated before the variable, as in Flux")
                .isInstanceOf(Envsubst.VariableNotSet.class).hasMessageContaining("inner");
        assertThat(Envsubst.expand("${gone}-${gone#x}", vars, false)).isEqualTo("-");
    }

    @Test
    void lengthAndOffsetsCountUtf8BytesAsGoDoes() {
        Map<String, String> vars = Map.of("v", "héllo", "s", "straße");
        assertThat(Envsubst.expand("${#v}", vars, false)).isEqualTo("6");
        assertThat(Envsubst.expand("${v:3}", vars, false)).isEqualTo("llo");
        assertThat(Envsubst.expand("${s^^}", vars, false)).as("per character, as Go's ToUpper").isEqualTo("STRAßE");
    }
}

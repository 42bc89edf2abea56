package io.conflux.kustomize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.conflux.kustomize.yaml.KYaml;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Builds each scenario of {@code src/test/resources/scenarios} and compares it, as data and in
 * order, and as text, with the recorded output of the reference {@code kubectl kustomize}
 * ({@code expected.yaml}), and with a live reference run when the binary is installed.
 */
class ScenarioTest {

  static Path scenarios() throws URISyntaxException {
    return Path.of(ScenarioTest.class.getResource("/scenarios").toURI());
  }

  @TestFactory
  Stream<DynamicTest> scenariosMatchReference() throws IOException, URISyntaxException {
    List<Path> dirs;
    try (Stream<Path> s = Files.list(scenarios())) {
      dirs = s.filter(Files::isDirectory).sorted().toList();
    }
    List<DynamicTest> tests = new ArrayList<>();
    for (Path dir : dirs) {
      tests.add(DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
        Path cmd = dir.resolve("cmd");
        Path target = dir.resolve(Files.exists(cmd) ? Files.readString(cmd).trim() : ".");
        List<Map<String, Object>> expected = KYaml.parseAll(Files.readString(dir.resolve("expected.yaml")),
            "expected.yaml");
        ResourceList built = Kustomizer.create().build(target);
        assertNull(Compare.difference(expected, built.objects()));
        assertEquals(Files.readString(dir.resolve("expected.yaml")), built.toYaml(), "output text");
        Path kubectl = DifferentialTest.kubectl();
        if (Files.isExecutable(kubectl)) {
          DifferentialTest.compare(kubectl, target);
        }
      }));
    }
    return tests.stream();
  }
}

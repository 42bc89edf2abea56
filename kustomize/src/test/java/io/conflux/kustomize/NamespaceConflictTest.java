package io.conflux.kustomize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The namespace transformer refuses to give two objects the same id (NamespaceTransformer's ID conflict check). */
class NamespaceConflictTest {

  private static final String TWO_CONFIG_MAPS = """
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: a
        namespace: x
      ---
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: a
        namespace: z
      ---
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: b
        namespace: x
      """;

  private static Path tree(FileSystem fs, String kustomization) throws IOException {
    Path root = Files.createDirectories(fs.getPath("/r"));
    Files.writeString(root.resolve("cms.yaml"), TWO_CONFIG_MAPS);
    Files.writeString(root.resolve("kustomization.yaml"), kustomization);
    return root;
  }

  @Test
  void twoObjectsMovedIntoOneNamespaceUnderOneNameConflict() throws IOException {
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
      Path root = tree(fs, "namespace: w\nresources:\n- cms.yaml\n");

      assertThatThrownBy(() -> Kustomizer.create().build(root))
          .isInstanceOf(KustomizeException.class)
          .hasMessageContaining("namespace transformation produces ID conflict: ~G_v1_ConfigMap|w|a");
    }
  }

  @Test
  void distinctNamesInOneNamespaceDoNotConflict() throws IOException {
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
      Path root = tree(fs, "namespace: w\nnamePrefix: p-\nresources:\n- cms.yaml\npatches:\n- target:\n    namespace: z\n"
          + "  patch: |-\n    - op: replace\n      path: /metadata/name\n      value: c\n  options:\n    allowNameChange: true\n");

      String yaml = Kustomizer.create().build(root).toYaml();

      assertThat(yaml).contains("name: p-a\n  namespace: w").contains("name: p-b\n  namespace: w")
          .contains("name: p-c\n  namespace: w");
    }
  }
}

package io.conflux.kustomize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Input that {@code kubectl kustomize} (v5.7) refuses is refused here too, naming the file, and secret-looking
 * content of a wrong file never reaches the message. Each case was checked against the reference kubectl:
 * symlinked kustomization file or resource leading out of the kustomization directory ("security; file … is not
 * in or below …"), an absolute directory under {@code resources} ("new root … cannot be absolute"), a repeated key in
 * a resource ("mapping key "a" already defined at line 6"), bytes that are not UTF-8 ("invalid leading UTF-8
 * octet"), and a {@code .env} listed as a resource (kustomize: "missing Resource metadata", no content).
 */
class RefusedInputTest {
  private static final String CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n";

  @TempDir
  Path tmp;

  private Path write(String path, String content) throws IOException {
    Path p = tmp.resolve(path);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
    return p;
  }

  private static Path symlink(Path link, Path target) throws IOException {
    Files.createDirectories(link.getParent());
    return Files.createSymbolicLink(link, target);
  }

  @Test
  void symlinkedKustomizationFileLeadingOutOfTheDirectoryIsRefused() throws IOException {
    Path outside = write("outside/kustomization.yaml", "resources: [cm.yaml]\n");
    write("outside/cm.yaml", CM);
    symlink(tmp.resolve("root/app/kustomization.yaml"), outside);

    assertThatThrownBy(() -> Kustomizer.create().build(tmp.resolve("root/app")))
        .isInstanceOf(KustomizeException.class)
        .hasMessageContaining("security; file '")
        .hasMessageContaining("outside/kustomization.yaml' is not in or below");
  }

  @Test
  void symlinkedResourceLeadingOutOfTheDirectoryIsRefused() throws IOException {
    Path secret = write("outside/cm.yaml", CM);
    write("app/kustomization.yaml", "resources: [cm.yaml]\n");
    symlink(tmp.resolve("app/cm.yaml"), secret);

    assertThatThrownBy(() -> Kustomizer.create().build(tmp.resolve("app")))
        .isInstanceOf(KustomizeException.class)
        .hasMessageContaining("outside/cm.yaml' is not in or below");
  }

  @Test
  void symlinksInsideTheDirectoryStillWork() throws IOException {
    write("app/real/cm.yaml", CM);
    write("app/kustomization.yaml", "resources: [cm.yaml, linked]\n");
    symlink(tmp.resolve("app/cm.yaml"), tmp.resolve("app/real/cm.yaml"));
    write("elsewhere/kustomization.yaml", "namePrefix: x-\nresources: [cm.yaml]\n");
    write("elsewhere/cm.yaml", CM);
    // A symlinked directory is a new root of its own, wherever it points (kustomize allows ../base).
    symlink(tmp.resolve("app/linked"), tmp.resolve("elsewhere"));

    assertThat(Kustomizer.create().build(tmp.resolve("app")).toYaml())
        .contains("name: cm\n").contains("name: x-cm\n");
  }

  @Test
  void absoluteDirectoryUnderResourcesIsRefusedWhateverTheRestrictions() throws IOException {
    write("base/kustomization.yaml", "resources: [cm.yaml]\n");
    write("base/cm.yaml", CM);
    write("app/kustomization.yaml", "resources:\n- " + tmp.resolve("base") + "\n");

    for (LoadRestrictions r : LoadRestrictions.values()) {
      assertThatThrownBy(() -> Kustomizer.create().withLoadRestrictions(r).build(tmp.resolve("app")))
          .isInstanceOf(KustomizeException.class)
          .hasMessageContaining("kustomization.yaml: resources: new root '" + tmp.resolve("base")
              + "' cannot be absolute");
    }
    write("app/kustomization.yaml", "resources: [../base]\n");
    assertThat(Kustomizer.create().build(tmp.resolve("app")).objects()).hasSize(1);
  }

  @Test
  void repeatedKeyInAResourceIsRefusedWithBothLines() throws IOException {
    write("app/kustomization.yaml", "resources: [cm.yaml]\n");
    write("app/cm.yaml", CM + "data:\n  a: \"1\"\n  b: \"2\"\n  a: \"3\"\n");

    assertThatThrownBy(() -> Kustomizer.create().build(tmp.resolve("app")))
        .isInstanceOf(KustomizeException.class)
        .hasMessage("cm.yaml:8: mapping key \"a\" already defined at line 6")
        .satisfies(e -> assertThat(((KustomizeException) e).line()).hasValue(8));
  }

  @Test
  void repeatedKeysInTheKustomizationFileAreAcceptedAsKustomizeDoes() throws IOException {
    write("app/kustomization.yaml", "resources: [cm.yaml]\nnamePrefix: a-\nnamePrefix: b-\n");
    write("app/cm.yaml", CM + "data:\n  shared: &s {k: v}\n  again: *s\n");

    assertThat(Kustomizer.create().build(tmp.resolve("app")).toYaml()).contains("name: b-cm\n");
  }

  @Test
  void invalidUtf8IsRefusedNamingFileAndLine() throws IOException {
    write("app/kustomization.yaml", "resources: [cm.yaml]\n");
    Files.write(tmp.resolve("app/cm.yaml"), (CM + "data:\n  a: \"").getBytes());
    Files.write(tmp.resolve("app/cm.yaml"), new byte[] {(byte) 0xff, (byte) 0xfe, '"', '\n'},
        java.nio.file.StandardOpenOption.APPEND);

    assertThatThrownBy(() -> Kustomizer.create().build(tmp.resolve("app")))
        .isInstanceOf(KustomizeException.class)
        .hasMessageStartingWith("cm.yaml:6: MalformedYAMLError: invalid UTF-8");
  }

  @Test
  void invalidUtf8InTheKustomizationFileIsRefused() throws IOException {
    Files.createDirectories(tmp.resolve("app"));
    Files.write(tmp.resolve("app/kustomization.yaml"), new byte[] {'n', 'a', 'm', 'e', 'P', 'r', 'e', 'f', 'i', 'x',
        ':', ' ', (byte) 0xc3, '\n'});

    assertThatThrownBy(() -> Kustomizer.create().build(tmp.resolve("app")))
        .isInstanceOf(KustomizeException.class)
        .hasMessageStartingWith("kustomization.yaml:1: MalformedYAMLError: invalid UTF-8");
  }

  @Test
  void dotenvListedAsAResourceNamesTheFileNotItsContent() throws IOException {
    write("app/kustomization.yaml", "resources: [.env]\n");
    write("app/.env", "DB_PASSWORD=hunter2-canary\n");

    assertThatThrownBy(() -> Kustomizer.create().build(tmp.resolve("app")))
        .isInstanceOf(KustomizeException.class)
        .hasMessageStartingWith(".env: expected a YAML mapping (a Kubernetes object), got a scalar")
        .message().doesNotContain("hunter2").doesNotContain("DB_PASSWORD");
  }

  @Test
  void replacementIndexOutOfBoundsDoesNotShowTheSourceValue() throws IOException {
    write("app/kustomization.yaml", """
        resources: [secret.yaml, cm.yaml]
        replacements:
        - source: {kind: Secret, name: db, fieldPath: data.password, options: {delimiter: '-', index: 5}}
          targets:
          - select: {kind: ConfigMap}
            fieldPaths: [data.x]
        """);
    write("app/secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: aHVudGVyMg-x\n");
    write("app/cm.yaml", CM + "data:\n  x: y\n");

    assertThatThrownBy(() -> Kustomizer.create().build(tmp.resolve("app")))
        .isInstanceOf(KustomizeException.class)
        .hasMessageContaining("options.index 5 is out of bounds")
        .message().doesNotContain("aHVudGVyMg");
  }
}

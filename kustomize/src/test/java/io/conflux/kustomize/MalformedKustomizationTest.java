package io.conflux.kustomize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Inputs found by {@link KustomizeFuzzTest}: each once ended in an unchecked exception of the engine (wrapped as
 * {@code kustomize build of '/repo' failed: java.lang.NullPointerException}) or in a message naming no file; each is
 * now a {@link KustomizeException} naming the kustomization file, or builds as kustomize does.
 */
class MalformedKustomizationTest {
  private FileSystem fs;
  private Path root;

  @BeforeEach
  void setUp() throws IOException {
    fs = Jimfs.newFileSystem(Configuration.unix());
    root = Files.createDirectories(fs.getPath("/repo"));
  }

  @AfterEach
  void tearDown() throws IOException {
    fs.close();
  }

  private void write(String path, String content) throws IOException {
    Path p = root.resolve(path);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
  }

  private static final String CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: b\n";

  /** Target names are RE2 as in kustomize's Go: Java's backtracking matcher ran for minutes on this (found by Jazzer). */
  @Test
  void patchTargetRegexMatchesInLinearTime() throws IOException {
    write("cm.yaml", CM.replace("name: cfg", "name: " + "a".repeat(40) + "-"));
    write("kustomization.yaml", "resources:\n- cm.yaml\npatches:\n- target: {kind: ConfigMap, name: '(.*a){12}'}\n"
        + "  patch: '[{\"op\": \"add\", \"path\": \"/data/c\", \"value\": \"d\"}]'\n");
    ResourceList built = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5),
        () -> Kustomizer.create().build(root));
    assertThat(built.objects()).hasSize(1);
    assertThat(built.toYaml()).doesNotContain("c: d");
  }

  @Test
  void imageNameRegexMatchesInLinearTimeAndAnInvalidOneNamesTheEntry() throws IOException {
    write("deployment.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n"
        + "    spec:\n      containers:\n      - {name: web, image: '" + "a".repeat(40) + "-:1.0'}\n");
    write("kustomization.yaml", "resources:\n- deployment.yaml\nimages:\n- {name: '(.*a){12}', newTag: '2.0'}\n");
    ResourceList built = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5),
        () -> Kustomizer.create().build(root));
    assertThat(built.toYaml()).contains("-:1.0").doesNotContain(":2.0");

    write("kustomization.yaml", "resources:\n- deployment.yaml\nimages:\n- {name: 'web(', newTag: '2.0'}\n");
    assertThatThrownBy(() -> Kustomizer.create().build(root))
        .isExactlyInstanceOf(KustomizeException.class)
        .hasMessageContaining("kustomization.yaml")
        .hasMessageContaining("images: invalid name 'web('");
  }

  @Test
  void jsonPatchNamingAMemberOfAListIsRefusedNamingThePatch() throws IOException {
    write("deployment.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ben}\nspec:\n- replace\n");
    write("patch.json", "[{\"op\": \"add\", \"path\": \"/spec/replica\", \"value\": \"3\"}]");
    write("kustomization.yaml", "resources:\n- deployment.yaml\npatchesJson6902:\n- target: {group: apps, version: v1,"
        + " kind: Deployment, name: ben}\n  path: patch.json\n");
    assertThatThrownBy(() -> Kustomizer.create().build(root))
        .isExactlyInstanceOf(KustomizeException.class)
        .hasMessageContaining("patch.json")
        .hasMessageContaining("error in add for path: '/spec/replica'")
        .hasRootCauseExactlyInstanceOf(IllegalStateException.class);
  }

  @Test
  void varWithoutNameIsRefusedNamingTheKustomization() throws IOException {
    write("cm.yaml", CM);
    write("kustomization.yaml", "resources:\n- cm.yaml\nvars:\n- objref: {kind: ConfigMap, name: cfg, apiVersion: v1}\n");
    assertThatThrownBy(() -> Kustomizer.create().build(root))
        .isExactlyInstanceOf(KustomizeException.class)
        .hasMessage("kustomization.yaml: a var needs a name (vars[0])")
        .hasRootCauseExactlyInstanceOf(KustomizeException.class);
  }

  @Test
  void varReferenceWithoutPathIsAnEmptyPathAsInGo() throws IOException {
    write("cm.yaml", CM);
    write("config.yaml", "varReference:\n- kind: ConfigMap\n");
    write("kustomization.yaml", "resources:\n- cm.yaml\nconfigurations:\n- config.yaml\nvars:\n- name: A\n"
        + "  objref: {kind: ConfigMap, name: cfg, apiVersion: v1}\n  fieldref: {fieldpath: data.a}\n");
    assertThat(Kustomizer.create().build(root).objects()).hasSize(1);
  }

  @Test
  void pathWithNulCharacterIsRefusedNamingTheKustomization() throws IOException {
    write("kustomization.yaml", "resources:\n- \"cm\\0.yaml\"\n");
    assertThatThrownBy(() -> Kustomizer.create().build(root))
        .isExactlyInstanceOf(KustomizeException.class)
        .hasMessageStartingWith("kustomization.yaml: invalid path: ")
        .hasMessageNotContaining("kustomize build of");
  }

  @Test
  void wronglyTypedFieldNamesItsFile() throws IOException {
    write("base/kustomization.yaml", "resources:\n  cm: cm.yaml\n");
    write("kustomization.yaml", "resources:\n- base\n");
    assertThatThrownBy(() -> Kustomizer.create().build(root))
        .isExactlyInstanceOf(KustomizeException.class)
        .hasMessage("base/kustomization.yaml: kustomization field 'resources' must be a list");
  }

  @Test
  void errorsNotTiedToAFileNameTheKustomizationTheyComeFrom() throws IOException {
    write("base/kustomization.yaml", "secretGenerator:\n- literals: [a=b]\n");
    write("kustomization.yaml", "resources:\n- base\n");
    assertThatThrownBy(() -> Kustomizer.create().build(root))
        .isExactlyInstanceOf(KustomizeException.class)
        .hasMessage("base/kustomization.yaml: a Secret generator needs a name");
  }

  @Test
  void directoryWhereAFileIsExpectedNamesTheKustomization() throws IOException {
    write("kustomization.yaml", "patchesStrategicMerge:\n- ''\n");
    assertThatThrownBy(() -> Kustomizer.create().build(root))
        .isExactlyInstanceOf(KustomizeException.class)
        .hasMessage("kustomization.yaml: '.' is a directory, expected a file");
  }

  @Test
  void listWithNullItemsBuildsItsOtherItems() throws IOException {
    write("list.yaml", "apiVersion: v1\nkind: ConfigMapList\nitems:\n- null\n- " + CM.replace("\n", "\n  ").trim() + "\n");
    write("kustomization.yaml", "resources:\n- list.yaml\n");
    assertThat(Kustomizer.create().build(root).objects()).hasSize(1);
  }

  @Test
  void replicasWithoutOrWithAWrongCount() throws IOException {
    write("deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n");
    write("kustomization.yaml", "resources:\n- deploy.yaml\nreplicas:\n- name: web\n");
    assertThat(Kustomizer.create().build(root).toYaml()).contains("replicas: 0");
    write("kustomization.yaml", "resources:\n- deploy.yaml\nreplicas:\n- name: web\n  count: many\n");
    assertThatThrownBy(() -> Kustomizer.create().build(root))
        .isExactlyInstanceOf(KustomizeException.class)
        .hasMessage("kustomization.yaml: replicas[0].count is not an integer");
  }
}

package io.conflux.kustomize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Builds trees held in an in-memory Jimfs file system; errors name the file and line. */
class JimfsBuildTest {
  private FileSystem fs;
  private Path root;

  @BeforeEach
  void setUp() throws IOException {
    fs = Jimfs.newFileSystem(Configuration.unix());
    root = fs.getPath("/repo");
    Files.createDirectories(root);
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

  @Test
  void buildsOverlayOnJimfs() throws IOException {
    write("base/kustomization.yaml", "resources:\n- deploy.yaml\nconfigMapGenerator:\n- name: cfg\n  literals:\n  - a=b\n");
    write("base/deploy.yaml", """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
              - name: app
                image: nginx
                envFrom:
                - configMapRef:
                    name: cfg
        """);
    write("overlay/kustomization.yaml", "namespace: prod\nnamePrefix: p-\nresources:\n- ../base\nimages:\n- name: nginx\n  newTag: \"1.27\"\n");
    ResourceList result = Kustomizer.create().build(root.resolve("overlay"));
    List<Map<String, Object>> objects = result.objects();
    assertThat(objects).hasSize(2);
    assertThat(objects.get(0)).containsEntry("kind", "ConfigMap");
    @SuppressWarnings("unchecked")
    Map<String, Object> meta = (Map<String, Object>) objects.get(0).get("metadata");
    assertThat((String) meta.get("name")).startsWith("p-cfg-").hasSize("p-cfg-".length() + 10);
    assertThat(meta).containsEntry("namespace", "prod");
    assertThat(result.toYaml()).contains("image: nginx:1.27").contains("name: " + meta.get("name"))
        .contains("---\n");
  }

  @Test
  void malformedYamlNamesFileAndLine() throws IOException {
    write("kustomization.yaml", "resources:\n- base\n");
    write("base/kustomization.yaml", "resources:\n- web-server.yaml\n");
    write("base/web-server.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  labels: app: web\n");
    assertThatThrownBy(() -> Kustomizer.create().build(root))
        .isInstanceOf(KustomizeException.class)
        .hasMessageStartingWith("base/web-server.yaml:5:")
        .hasMessageContaining("mapping values are not allowed here")
        .satisfies(e -> {
          KustomizeException ke = (KustomizeException) e;
          assertThat(ke.line()).hasValue(5);
          assertThat(ke.file()).hasValue(root.resolve("base/web-server.yaml"));
        });
  }

  @Test
  void rootOnlyRefusesFilesOutsideTheKustomization() throws IOException {
    write("shared/deploy.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n");
    write("app/kustomization.yaml", "resources:\n- ../shared/deploy.yaml\n");
    assertThatThrownBy(() -> Kustomizer.create().build(root.resolve("app")))
        .isInstanceOf(KustomizeException.class)
        .hasMessageContaining("security; file '../shared/deploy.yaml' is not in or below '/repo/app'");
    assertThat(Kustomizer.create().withLoadRestrictions(LoadRestrictions.NONE).build(root.resolve("app")).objects())
        .hasSize(1);
  }

  @Test
  void refusesRemoteResourcesAndHelmCharts() throws IOException {
    write("remote/kustomization.yaml", "resources:\n- https://github.com/example/repo//deploy?ref=v1\n");
    assertThatThrownBy(() -> Kustomizer.create().build(root.resolve("remote")))
        .isInstanceOf(KustomizeException.class).hasMessageContaining("remote resource")
        .hasMessageContaining("not supported");
    write("git/kustomization.yaml", "resources:\n- git::https://example.com/repo.git\n");
    assertThatThrownBy(() -> Kustomizer.create().build(root.resolve("git")))
        .isInstanceOf(KustomizeException.class).hasMessageContaining("remote resource");
    write("helm/kustomization.yaml", "helmCharts:\n- name: podinfo\n  repo: https://stefanprodan.github.io/podinfo\n");
    assertThatThrownBy(() -> Kustomizer.create().build(root.resolve("helm")))
        .isInstanceOf(KustomizeException.class).hasMessageContaining("helmCharts are not inflated in this build")
        .hasMessageContaining("must specify --enable-helm");
  }

  @Test
  void directoryWithoutKustomizationIsAnError() throws IOException {
    write("plain/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n");
    assertThatThrownBy(() -> Kustomizer.create().build(root.resolve("plain")))
        .isInstanceOf(KustomizeException.class).hasMessageContaining("unable to find one of 'kustomization.yaml'");
  }

  @Test
  void cyclesAreDetected() throws IOException {
    write("a/kustomization.yaml", "resources:\n- ../b\n");
    write("b/kustomization.yaml", "resources:\n- ../a\n");
    assertThatThrownBy(() -> Kustomizer.create().build(root.resolve("a")))
        .isInstanceOf(KustomizeException.class).hasMessageContaining("cycle detected");
  }

  @Test
  void duplicateIdsAreRejected() throws IOException {
    write("kustomization.yaml", "resources:\n- a.yaml\n- b.yaml\n");
    write("a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n");
    write("b.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n");
    assertThatThrownBy(() -> Kustomizer.create().build(root))
        .isInstanceOf(KustomizeException.class).hasMessageContaining("already registered id");
  }

  @Test
  void patchTargetMissingIsAnError() throws IOException {
    write("kustomization.yaml", "resources:\n- a.yaml\npatches:\n- path: p.yaml\n");
    write("a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n");
    write("p.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\ndata:\n  a: b\n");
    assertThatThrownBy(() -> Kustomizer.create().build(root))
        .isInstanceOf(KustomizeException.class).hasMessageContaining("p.yaml")
        .hasMessageContaining("failed to find unique target for patch");
  }
}

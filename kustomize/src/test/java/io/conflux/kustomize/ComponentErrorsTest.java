package io.conflux.kustomize;

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

/** Component misuse fails like kustomize (cases from api/krusty/component_test.go). */
class ComponentErrorsTest {
  private FileSystem fs;
  private Path app;

  @BeforeEach
  void setUp() throws IOException {
    fs = Jimfs.newFileSystem(Configuration.unix());
    app = fs.getPath("/app");
    write("base/kustomization.yaml", "resources:\n- deploy.yaml\n");
    write("base/deploy.yaml", "apiVersion: v1\nkind: Deployment\nmetadata:\n  name: storefront\n");
    write("comp/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nnamePrefix: comp-\n");
    write("proxy.yaml", "apiVersion: v1\nkind: Deployment\nmetadata:\n  name: proxy\n");
  }

  @AfterEach
  void tearDown() throws IOException {
    fs.close();
  }

  private void write(String path, String content) throws IOException {
    Path p = app.resolve(path);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
  }

  private void assertFails(String dir, String message) {
    assertThatThrownBy(() -> Kustomizer.create().withLoadRestrictions(LoadRestrictions.NONE).build(app.resolve(dir)))
        .isInstanceOf(KustomizeException.class).hasMessageContaining(message);
  }

  @Test
  void componentsCannotBeResources() throws IOException {
    write("x/kustomization.yaml", "resources:\n- ../base\n- ../comp\n");
    assertFails("x", "expected kind != 'Component' for path '../comp'");
  }

  @Test
  void kustomizationsCannotBeComponents() throws IOException {
    write("x/kustomization.yaml", "components:\n- ../base\n");
    assertFails("x", "expected kind 'Component' for path '../base' but got 'Kustomization'");
  }

  @Test
  void filesCannotBeComponents() throws IOException {
    write("x/stub.yaml", "apiVersion: v1\nkind: Deployment\nmetadata:\n  name: stub\n");
    write("x/kustomization.yaml", "components:\n- stub.yaml\n");
    assertFails("x", "must be a directory");
  }

  @Test
  void componentApiVersionIsChecked() throws IOException {
    write("comp/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Component\n");
    write("x/kustomization.yaml", "components:\n- ../comp\n");
    assertFails("x", "apiVersion for Component should be kustomize.config.k8s.io/v1alpha1");
  }

  @Test
  void componentsCannotAddTheSameResource() throws IOException {
    write("comp-a/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n- ../proxy.yaml\n");
    write("comp-b/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n- ../proxy.yaml\n");
    write("x/kustomization.yaml", "resources:\n- ../base\ncomponents:\n- ../comp-a\n- ../comp-b\n");
    assertFails("x", "may not add resource with an already registered id: Deployment.v1.[noGrp]/proxy.[noNs]");
  }
}

package io.conflux.kustomize;

import static org.assertj.core.api.Assertions.assertThat;

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

/** Renamed objects are renamed where they are referenced (nameReference configuration). */
class NameReferenceTest {
  private FileSystem fs;
  private Path root;

  @BeforeEach
  void setUp() throws IOException {
    fs = Jimfs.newFileSystem(Configuration.unix());
    root = fs.getPath("/r");
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

  private Map<String, Object> find(List<Map<String, Object>> objects, String kind) {
    return objects.stream().filter(o -> kind.equals(o.get("kind"))).findFirst().orElseThrow();
  }

  @SuppressWarnings("unchecked")
  private static Object at(Object o, Object... path) {
    Object cur = o;
    for (Object p : path) {
      cur = p instanceof Integer i ? ((List<Object>) cur).get(i) : ((Map<String, Object>) cur).get((String) p);
    }
    return cur;
  }

  @Test
  void generatedAndPrefixedNamesFollowIntoWorkloadsAndRbac() throws IOException {
    write("kustomization.yaml", """
        namePrefix: x-
        namespace: ns
        resources:
        - res.yaml
        configMapGenerator:
        - name: cfg
          literals: [a=b]
        secretGenerator:
        - name: pull
          literals: [k=v]
        """);
    write("res.yaml", """
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: sa}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: role}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: bind}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: role}
        subjects:
        - {kind: ServiceAccount, name: sa, namespace: default}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          template:
            spec:
              serviceAccountName: sa
              imagePullSecrets: [{name: pull}]
              containers:
              - name: c
                envFrom: [{configMapRef: {name: cfg}}]
              volumes:
              - {name: v, configMap: {name: cfg}}
        """);
    List<Map<String, Object>> objects = Kustomizer.create().build(root).objects();
    String cm = (String) at(find(objects, "ConfigMap"), "metadata", "name");
    String secret = (String) at(find(objects, "Secret"), "metadata", "name");
    assertThat(cm).matches("x-cfg-[a-z0-9]{10}");
    assertThat(secret).matches("x-pull-[a-z0-9]{10}");
    Map<String, Object> deploy = find(objects, "Deployment");
    Object podSpec = at(deploy, "spec", "template", "spec");
    assertThat(at(podSpec, "serviceAccountName")).isEqualTo("x-sa");
    assertThat(at(podSpec, "imagePullSecrets", 0, "name")).isEqualTo(secret);
    assertThat(at(podSpec, "containers", 0, "envFrom", 0, "configMapRef", "name")).isEqualTo(cm);
    assertThat(at(podSpec, "volumes", 0, "configMap", "name")).isEqualTo(cm);
    Map<String, Object> binding = find(objects, "ClusterRoleBinding");
    assertThat(at(binding, "roleRef", "name")).isEqualTo("x-role");
    assertThat(at(binding, "subjects", 0)).isEqualTo(Map.of("kind", "ServiceAccount", "name", "x-sa", "namespace", "ns"));
  }

  @Test
  void referencesToObjectsOutsideTheBuildAreLeftAlone() throws IOException {
    write("kustomization.yaml", "namePrefix: p-\nresources:\n- d.yaml\n");
    write("d.yaml", """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          template:
            spec:
              containers:
              - name: c
                envFrom: [{configMapRef: {name: external}}]
        """);
    Map<String, Object> deploy = Kustomizer.create().build(root).objects().get(0);
    assertThat(at(deploy, "metadata", "name")).isEqualTo("p-web");
    assertThat(at(deploy, "spec", "template", "spec", "containers", 0, "envFrom", 0, "configMapRef", "name"))
        .isEqualTo("external");
  }

  @Test
  void overlaysPickTheReferralWithTheSameAffixes() throws IOException {
    write("base/kustomization.yaml", "resources:\n- r.yaml\n");
    write("base/r.yaml", """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: cm}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: pod}
        spec:
          containers:
          - name: c
            envFrom: [{configMapRef: {name: cm}}]
        """);
    write("a/kustomization.yaml", "nameSuffix: -a\nresources:\n- ../base\n");
    write("b/kustomization.yaml", "nameSuffix: -b\nresources:\n- ../base\n");
    write("kustomization.yaml", "resources:\n- a\n- b\n");
    List<Map<String, Object>> objects = Kustomizer.create().build(root).objects();
    assertThat(objects).filteredOn(o -> "Pod".equals(o.get("kind")))
        .extracting(o -> at(o, "metadata", "name") + "->" + at(o, "spec", "containers", 0, "envFrom", 0,
            "configMapRef", "name"))
        .containsExactly("pod-a->cm-a", "pod-b->cm-b");
  }
}

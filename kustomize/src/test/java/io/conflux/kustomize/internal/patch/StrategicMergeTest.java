package io.conflux.kustomize.internal.patch;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.kustomize.internal.resource.Gvk;
import io.conflux.kustomize.yaml.KYaml;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Strategic merge as kustomize v5.7 applies it (expectations checked against kubectl kustomize). */
class StrategicMergeTest {
  private static final Gvk DEPLOYMENT = new Gvk("apps", "v1", "Deployment");

  private static Map<String, Object> yaml(String text) {
    return KYaml.parseAll(text, "test.yaml").get(0);
  }

  private static Map<String, Object> merge(String target, String patch, Gvk gvk) {
    return StrategicMerge.apply(yaml(target), yaml(patch), gvk);
  }

  @Test
  void containersMergeByNamePatchElementsFirst() {
    Map<String, Object> out = merge("""
        spec:
          template:
            spec:
              containers:
              - {name: a, image: a}
              - {name: b, image: b}
              - {name: c, image: c}
        """, """
        spec:
          template:
            spec:
              containers:
              - {name: c, image: c2}
              - {name: x, image: x}
        """, DEPLOYMENT);
    assertThat(out).isEqualTo(yaml("""
        spec:
          template:
            spec:
              containers:
              - {name: c, image: c2}
              - {name: x, image: x}
              - {name: a, image: a}
              - {name: b, image: b}
        """));
  }

  @Test
  void clearsTargetFieldsWrittenWithNoValueWhereKyamlWalksKeepsExplicitNulls() {
    Map<String, Object> out = merge("""
        metadata:
          creationTimestamp: null
          labels: {empty: , tilde: ~}
        spec:
          strategy:
          template:
            spec:
              tolerations:
              - {key: a, value: }
              containers:
              - {name: app, resources: , workingDir: ~}
        """, """
        spec:
          paused: true
        """, DEPLOYMENT);
    assertThat(out).isEqualTo(yaml("""
        metadata:
          creationTimestamp: null
          labels: {tilde: ~}
        spec:
          paused: true
          template:
            spec:
              tolerations:
              - {key: a, value: }
              containers:
              - {name: app, workingDir: ~}
        """));
  }

  @Test
  void replacedListsKeepThePatchsNullsMergedOnesDropThem() {
    Map<String, Object> out = merge("""
        spec:
          template:
            spec:
              containers:
              - {name: app}
        """, """
        spec:
          template:
            spec:
              tolerations:
              - {key: b, value: , effect: ~}
              containers:
              - {name: app, stdin: , tty: ~}
        """, DEPLOYMENT);
    assertThat(out).isEqualTo(yaml("""
        spec:
          template:
            spec:
              tolerations:
              - {key: b, value: , effect: ~}
              containers:
              - {name: app}
        """));
  }

  @Test
  void mergeKeysOfBuiltInLists() {
    Map<String, Object> out = merge("""
        spec:
          template:
            spec:
              containers:
              - name: app
                env: [{name: A, value: "1"}, {name: B, value: "2"}]
                ports: [{containerPort: 80, protocol: TCP}]
                volumeMounts: [{name: data, mountPath: /data}, {name: cache, mountPath: /cache}]
                args: [a, b]
              volumes: [{name: data, emptyDir: {}}]
        """, """
        spec:
          template:
            spec:
              containers:
              - name: app
                env: [{name: B, value: "20"}, {name: A, $patch: delete}]
                ports: [{containerPort: 8080}]
                volumeMounts: [{mountPath: /cache, readOnly: true}]
                args: [c]
              volumes: [{name: data, emptyDir: null, persistentVolumeClaim: {claimName: pvc}}]
        """, DEPLOYMENT);
    assertThat(out).isEqualTo(yaml("""
        spec:
          template:
            spec:
              containers:
              - name: app
                env: [{name: B, value: "20"}]
                ports: [{containerPort: 8080}, {containerPort: 80, protocol: TCP}]
                volumeMounts: [{name: cache, mountPath: /cache, readOnly: true}, {name: data, mountPath: /data}]
                args: [c]
              volumes: [{name: data, persistentVolumeClaim: {claimName: pvc}}]
        """));
  }

  @Test
  void servicePortsMergeByPortAndProtocol() {
    Gvk service = new Gvk("", "v1", "Service");
    Map<String, Object> out = merge("spec:\n  ports: [{port: 80, targetPort: 8080, protocol: TCP}]\n",
        "spec:\n  ports: [{port: 80, protocol: TCP, targetPort: 9090}, {port: 443}]\n", service);
    // lists with several map keys: new elements first, then the target's, merged in place
    assertThat(out).isEqualTo(yaml("spec:\n  ports: [{port: 443}, {port: 80, targetPort: 9090, protocol: TCP}]\n"));
    // like kustomize, a patch element without the protocol is ignored when the target has that port
    Map<String, Object> partial = merge("spec:\n  ports: [{port: 80, targetPort: 8080, protocol: TCP}]\n",
        "spec:\n  ports: [{port: 80, targetPort: 9090}, {port: 443}]\n", service);
    assertThat(partial).isEqualTo(yaml("spec:\n  ports: [{port: 443}, {port: 80, targetPort: 8080, protocol: TCP}]\n"));
  }

  @Test
  void listsOfCustomTypesAreReplaced() {
    Map<String, Object> out = merge("spec:\n  items: [{name: a}, {name: b}]\n", "spec:\n  items: [{name: b, v: 1}]\n",
        new Gvk("example.com", "v1", "Thing"));
    assertThat(out).isEqualTo(yaml("spec:\n  items: [{name: b, v: 1}]\n"));
  }

  @Test
  void directives() {
    Map<String, Object> out = merge("""
        metadata:
          finalizers: [a, b]
          annotations: {keep: "1", drop: "2"}
        spec:
          template:
            spec:
              securityContext: {runAsUser: 1, fsGroup: 2}
              initContainers: [{name: i1}, {name: i2}]
        """, """
        metadata:
          finalizers: [c]
          annotations: {drop: null}
        spec:
          template:
            spec:
              securityContext: {$patch: replace, runAsNonRoot: true}
              initContainers: [{$patch: replace}, {name: i3}]
        """, DEPLOYMENT);
    assertThat(out).isEqualTo(yaml("""
        metadata:
          finalizers: [c, a, b]
          annotations: {keep: "1"}
        spec:
          template:
            spec:
              securityContext: {runAsNonRoot: true}
              initContainers: [{name: i3}]
        """));
  }

  @Test
  void deleteDirectiveRemovesTheObject() {
    assertThat(merge("kind: X\nmetadata: {name: a}\n", "$patch: delete\n", DEPLOYMENT)).isNull();
  }

  @Test
  void setElementOrderAndRetainKeysAreCopiedLikeKustomizeDoes() {
    Map<String, Object> out = merge("spec:\n  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1}}\n",
        "spec:\n  strategy: {$retainKeys: [type], type: Recreate}\n", DEPLOYMENT);
    assertThat(out).isEqualTo(yaml(
        "spec:\n  strategy: {$retainKeys: [type], type: Recreate, rollingUpdate: {maxSurge: 1}}\n"));
  }
}

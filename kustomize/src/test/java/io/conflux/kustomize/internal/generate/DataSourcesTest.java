package io.conflux.kustomize.internal.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.LoadRestrictions;
import io.conflux.kustomize.internal.build.Loader;
import io.conflux.kustomize.yaml.KYaml;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DataSourcesTest {

  private static Map<String, Object> args(String yaml) {
    return KYaml.parseAll(yaml, "args.yaml").get(0);
  }

  @Test
  void literalsFilesAndEnvs() throws IOException {
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
      Path dir = fs.getPath("/k");
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("app.env"), "\uFEFFA=1\n# comment\n\n  B=x=y\nC\n");
      Files.writeString(dir.resolve("conf.txt"), "hello\n");
      Loader loader = new Loader(dir, dir, LoadRestrictions.ROOT_ONLY);
      List<DataSources.Pair> pairs = DataSources.load(loader, args("""
          name: g
          literals: ["q=\\"quoted\\"", "s='single'", "eq=a=b", "mixed=\\"x'"]
          files: [conf.txt, renamed=conf.txt]
          envs: [app.env]
          """), "g");
      assertThat(pairs).extracting(p -> p.key() + "=" + p.value()).containsExactly(
          "q=quoted", "s=single", "eq=a=b", "mixed=\"x'", "conf.txt=hello\n", "renamed=hello\n", "A=1", "B=x=y", "C=");
    }
  }

  @Test
  void repeatedKeysAndBadLiteralsAreErrors() throws IOException {
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
      Path dir = fs.getPath("/k");
      Files.createDirectories(dir);
      Loader loader = new Loader(dir, dir, LoadRestrictions.ROOT_ONLY);
      assertThatThrownBy(() -> DataSources.load(loader, args("literals: [a=1, a=2]"), "g"))
          .isInstanceOf(KustomizeException.class).hasMessageContaining("illegally repeats the key `a`");
      assertThatThrownBy(() -> DataSources.load(loader, args("literals: [a=1, s3cr3tvalue]"), "g"))
          .isInstanceOf(KustomizeException.class)
          .hasMessageContaining("generator g: invalid literal source at literals[1]")
          .message().doesNotContain("s3cr3tvalue");
    }
  }

  @Test
  void generatedConfigMapAndSecret() throws IOException {
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
      Path dir = fs.getPath("/k");
      Files.createDirectories(dir);
      Loader loader = new Loader(dir, dir, LoadRestrictions.ROOT_ONLY);
      var cm = ConfigMapSecretGenerator.generate(loader, "ConfigMap",
          args("name: c\nnamespace: n\nliterals: [b=2, a=1]\noptions: {labels: {x: y}, disableNameSuffixHash: true}"),
          GeneratorOptions.of(args("annotations: {note: n}")));
      assertThat(cm.object()).isEqualTo(args("""
          apiVersion: v1
          kind: ConfigMap
          metadata: {name: c, namespace: n, labels: {x: y}, annotations: {note: n}}
          data: {a: "1", b: "2"}
          """));
      assertThat(cm.needsHashSuffix()).isFalse();
      var secret = ConfigMapSecretGenerator.generate(loader, "Secret", args("name: s\nliterals: [k=v]"), null);
      assertThat(secret.object()).isEqualTo(args("""
          apiVersion: v1
          kind: Secret
          metadata: {name: s}
          type: Opaque
          data: {k: dg==}
          """));
      assertThat(secret.needsHashSuffix()).isTrue();
      assertThat(Hasher.hash(secret.object())).hasSize(10);
    }
  }
}

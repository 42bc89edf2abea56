package io.conflux.kustomize.internal.build;

import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.internal.JsonTrees;
import io.conflux.kustomize.internal.fieldspec.FieldSpec;
import io.conflux.kustomize.internal.fieldspec.TransformerConfig;
import io.conflux.kustomize.internal.generate.ConfigMapSecretGenerator;
import io.conflux.kustomize.internal.generate.GeneratorOptions;
import io.conflux.kustomize.internal.patch.Patch;
import io.conflux.kustomize.internal.patch.PatchTransformer;
import io.conflux.kustomize.internal.patch.Schema;
import io.conflux.kustomize.internal.resource.Selector;
import io.conflux.kustomize.internal.resource.Resource;
import io.conflux.kustomize.internal.transform.ImageTagTransformer;
import io.conflux.kustomize.internal.transform.MapEntriesTransformer;
import io.conflux.kustomize.internal.transform.NamespaceTransformer;
import io.conflux.kustomize.internal.transform.PrefixSuffixTransformer;
import io.conflux.kustomize.internal.transform.ReplacementTransformer;
import io.conflux.kustomize.internal.transform.ReplicaCountTransformer;
import io.conflux.kustomize.internal.transform.Transformer;
import io.conflux.kustomize.internal.transform.ValueAddTransformer;
import io.conflux.kustomize.yaml.KYaml;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Built-in generator and transformer plugins configured by objects in the {@code generators} and
 * {@code transformers} fields ({@code apiVersion: builtin}, follows api/internal/builtins).
 * Exec and KRM-function plugins are refused.
 */
final class BuiltinPlugins {
  private BuiltinPlugins() {}

  /** Runs a generator config; each result carries its origin annotation value. */
  static List<Resource> generate(Loader loader, Map<String, Object> config, String configuredIn) {
    String kind = JsonTrees.string(config, "kind");
    String name = JsonTrees.string(JsonTrees.map(config, "metadata"), "name");
    String origin = loader.originRepo() + "configuredIn: " + configuredIn + "\nconfiguredBy:\n  apiVersion: "
        + JsonTrees.string(config, "apiVersion") + "\n  kind: " + kind + "\n" + (name == null ? "" : "  name: " + name + "\n");
    List<Resource> out = new ArrayList<>();
    switch (kind == null ? "" : kind) {
      case "ConfigMapGenerator", "SecretGenerator" -> {
        Map<String, Object> args = new java.util.LinkedHashMap<>(config);
        Map<String, Object> meta = JsonTrees.map(config, "metadata");
        if (JsonTrees.string(args, "name") == null && name != null) {
          args.put("name", name);
        }
        if (JsonTrees.string(args, "namespace") == null && JsonTrees.string(meta, "namespace") != null) {
          args.put("namespace", JsonTrees.string(meta, "namespace"));
        }
        Resource r = ConfigMapSecretGenerator.generate(loader, kind.equals("ConfigMapGenerator") ? "ConfigMap" : "Secret",
            args, GeneratorOptions.of(null));
        r.setOrigin(origin);
        out.add(r);
      }
      case "IAMPolicyGenerator" -> {
        Resource r = new Resource(iamServiceAccount(config));
        r.setOrigin(origin);
        out.add(r);
      }
      default -> throw unsupported(config);
    }
    return out;
  }

  /**
   * The GKE workload-identity ServiceAccount of an IAMPolicyGenerator config (follows
   * api/filters/iampolicygenerator): {@code kubernetesService.name}/{@code .namespace}, annotated
   * {@code iam.gke.io/gcp-service-account: <serviceAccount.name>@<serviceAccount.projectId>.iam.gserviceaccount.com}.
   *
   * @throws KustomizeException for a {@code cloud} other than {@code gke}, as kustomize
   */
  private static Map<String, Object> iamServiceAccount(Map<String, Object> config) {
    String cloud = JsonTrees.string(config, "cloud");
    if (!"gke".equals(cloud)) {
      throw new KustomizeException("IAMPolicyGenerator: cloud provider " + (cloud == null ? "" : cloud)
          + " not supported yet");
    }
    Map<String, Object> service = JsonTrees.map(config, "kubernetesService");
    Map<String, Object> account = JsonTrees.map(config, "serviceAccount");
    Map<String, Object> annotations = new java.util.LinkedHashMap<>();
    annotations.put("iam.gke.io/gcp-service-account", nullToEmpty(JsonTrees.string(account, "name")) + "@"
        + nullToEmpty(JsonTrees.string(account, "projectId")) + ".iam.gserviceaccount.com");
    Map<String, Object> meta = new java.util.LinkedHashMap<>();
    meta.put("annotations", annotations);
    meta.put("name", nullToEmpty(JsonTrees.string(service, "name")));
    String ns = JsonTrees.string(service, "namespace");
    if (ns != null && !ns.isEmpty()) {
      meta.put("namespace", ns);
    }
    Map<String, Object> sa = new java.util.LinkedHashMap<>();
    sa.put("apiVersion", "v1");
    sa.put("kind", "ServiceAccount");
    sa.put("metadata", meta);
    return sa;
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  private static KustomizeException unsupported(Map<String, Object> config) {
    return new KustomizeException("plugin " + JsonTrees.string(config, "apiVersion") + "/"
        + JsonTrees.string(config, "kind") + " is not supported: only kustomize's builtin generators and "
        + "transformers are (no exec or KRM function plugins)");
  }

  /**
   * A builtin transformer's config as a transformer: the one configuration path of every builtin transformer, for a
   * {@code transformers:} entry and for the kustomization fields alike ({@link BuiltinTransformers} turns those into
   * such configs, as kustomize's kusttarget_configplugin.go does).
   *
   * @param loader the loader of the kustomization the config is used by
   * @param file the file the config comes from, named in patch messages
   * @throws KustomizeException when the config is malformed or names an unsupported kind
   */
  @SuppressWarnings("unchecked")
  static Transformer transformer(Loader loader, Path file, Map<String, Object> config, TransformerConfig tc,
      Schema schema) {
    String kind = JsonTrees.string(config, "kind");
    List<FieldSpec> fieldSpecs = FieldSpec.listOf(config.get("fieldSpecs"));
    switch (kind == null ? "" : kind) {
      case "PrefixSuffixTransformer":
        return new PrefixSuffixTransformer(JsonTrees.string(config, "prefix"), JsonTrees.string(config, "suffix"),
            fieldSpecs);
      case "PrefixTransformer":
        return new PrefixSuffixTransformer(JsonTrees.string(config, "prefix"), "", fieldSpecs);
      case "SuffixTransformer":
        return new PrefixSuffixTransformer("", JsonTrees.string(config, "suffix"), fieldSpecs);
      case "NamespaceTransformer":
        return new NamespaceTransformer(JsonTrees.string(JsonTrees.map(config, "metadata"), "namespace"),
            fieldSpecs.isEmpty() ? tc.get("namespace") : fieldSpecs, Boolean.TRUE.equals(config.get("unsetOnly")),
            JsonTrees.string(config, "setRoleBindingSubjects"));
      case "LabelTransformer":
        return new MapEntriesTransformer(JsonTrees.stringMap(config.get("labels")), fieldSpecs);
      case "AnnotationsTransformer":
        return new MapEntriesTransformer(JsonTrees.stringMap(config.get("annotations")), fieldSpecs);
      case "ImageTagTransformer":
        return ImageTagTransformer.of(JsonTrees.map(config, "imageTag"), fieldSpecs.isEmpty() ? tc.get("images")
            : fieldSpecs);
      case "ReplicaCountTransformer": {
        Map<String, Object> replica = JsonTrees.map(config, "replica");
        Object count = replica == null ? null : replica.get("count");
        return new ReplicaCountTransformer(JsonTrees.string(replica, "name"),
            count instanceof Number n ? n.longValue() : 0, fieldSpecs.isEmpty() ? tc.get("replicas") : fieldSpecs);
      }
      case "ReplacementTransformer": {
        List<Transformer> ts = new ArrayList<>();
        for (Object o : JsonTrees.list(config, "replacements") == null ? List.of()
            : JsonTrees.list(config, "replacements")) {
          ts.add(ReplacementTransformer.of(loader, (Map<String, Object>) o));
        }
        return m -> ts.forEach(t -> t.transform(m));
      }
      case "PatchTransformer": {
        Patch patch = new BuiltinTransformers.Patches(loader, file).of(config, "patch");
        return new PatchTransformer(patch, Selector.of(JsonTrees.map(config, "target")),
            PatchTransformer.option(config, "allowNameChange"), PatchTransformer.option(config, "allowKindChange"),
            schema);
      }
      case "PatchStrategicMergeTransformer": {
        List<Transformer> ts = new ArrayList<>();
        BuiltinTransformers.Patches patches = new BuiltinTransformers.Patches(loader, file);
        for (Object p : JsonTrees.list(config, "paths") == null ? List.of() : JsonTrees.list(config, "paths")) {
          ts.add(new PatchTransformer(patches.load(String.valueOf(p), true), null, false, false, schema));
        }
        String inline = JsonTrees.string(config, "patches");
        if (inline != null) {
          ts.add(new PatchTransformer(Patch.of("inline patch", KYaml.parseDocuments(inline, "inline patch", null)),
              null, false, false, schema));
        }
        return m -> ts.forEach(t -> t.transform(m));
      }
      case "PatchJson6902Transformer": {
        Patch patch = new BuiltinTransformers.Patches(loader, file).of(config, "jsonOp");
        return new PatchTransformer(patch, Selector.of(JsonTrees.map(config, "target")), false, false, schema);
      }
      case "ValueAddTransformer":
        return valueAdd(loader, config);
      default:
        throw unsupported(config);
    }
  }

  /**
   * A ValueAddTransformer config (plugin/builtin/valueaddtransformer Config): {@code value} trimmed, or the
   * kustomization directory's name when blank; {@code targets} plus those of the file {@code targetFilePath}.
   *
   * @throws KustomizeException with kustomize's messages: no target, an empty fieldPath, a negative
   *     filePathPosition, a targets file that cannot be read
   */
  @SuppressWarnings("unchecked")
  private static Transformer valueAdd(Loader loader, Map<String, Object> config) {
    String value = JsonTrees.string(config, "value");
    value = value == null ? "" : value.strip();
    if (value.isEmpty()) {
      Path name = loader.root().getFileName();
      value = name == null ? "/" : name.toString();
    }
    List<Object> rawTargets = new ArrayList<>(JsonTrees.list(config, "targets") == null ? List.of()
        : JsonTrees.list(config, "targets"));
    String targetFile = JsonTrees.string(config, "targetFilePath");
    if (targetFile != null && !targetFile.isEmpty()) {
      String display = loader.display(loader.resolve(targetFile));
      for (Object doc : KYaml.parseDocuments(loader.readText(targetFile), display,
          loader.resolve(targetFile))) {
        List<Object> more = JsonTrees.list(doc, "targets");
        if (more != null) {
          rawTargets.addAll(more);
        }
      }
    }
    if (rawTargets.isEmpty()) {
      throw new KustomizeException("ValueAddTransformer: must specify at least one target");
    }
    List<ValueAddTransformer.Target> targets = new ArrayList<>();
    for (Object o : rawTargets) {
      Map<String, Object> t = o instanceof Map<?, ?> ? (Map<String, Object>) o : Map.of();
      String fieldPath = JsonTrees.string(t, "fieldPath");
      if (fieldPath == null || fieldPath.isEmpty()) {
        throw new KustomizeException("ValueAddTransformer: fieldPath cannot be empty");
      }
      Object pos = t.get("filePathPosition");
      int position = pos instanceof Number n ? n.intValue() : 0;
      if (position < 0) {
        throw new KustomizeException("ValueAddTransformer: value of FilePathPosition (" + position
            + ") cannot be negative");
      }
      targets.add(new ValueAddTransformer.Target(Selector.of(JsonTrees.map(t, "selector")), fieldPath, position));
    }
    return new ValueAddTransformer(value, List.copyOf(targets));
  }
}

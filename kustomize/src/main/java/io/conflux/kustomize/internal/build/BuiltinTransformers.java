package io.conflux.kustomize.internal.build;

import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.internal.JsonTrees;
import io.conflux.kustomize.internal.fieldspec.FieldSpec;
import io.conflux.kustomize.internal.fieldspec.TransformerConfig;
import io.conflux.kustomize.internal.patch.Patch;
import io.conflux.kustomize.internal.patch.PatchTransformer;
import io.conflux.kustomize.internal.patch.Schema;
import io.conflux.kustomize.internal.resource.Gvk;
import io.conflux.kustomize.internal.transform.Transformer;
import io.conflux.kustomize.yaml.KYaml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The built-in transformers a kustomization's fields configure, in kustomize's order (follows
 * api/internal/target/kusttarget_configplugin.go): patchesStrategicMerge, patches, namespace,
 * namePrefix, nameSuffix, labels, commonLabels, commonAnnotations, patchesJson6902, replicas,
 * images, replacements.
 *
 * <p>As in kustomize, each field is turned into the config of its builtin transformer plugin
 * ({@code apiVersion: builtin}, {@code kind: PrefixTransformer}, …) and that config goes through the one
 * configuration path of {@link BuiltinPlugins#transformer}, the path of a {@code transformers:} entry too; only the
 * checks kustomize makes on the fields themselves (a patchesJson6902 target, a replicas count) are done here.
 */
final class BuiltinTransformers {
  private BuiltinTransformers() {}

  /** A built-in transformer and its plugin kind, for the transformations annotation. */
  record Named(String kind, Transformer transformer) {}

  /**
   * The configured transformers.
   *
   * @throws KustomizeException when a patch cannot be loaded or an entry is malformed
   */
  static List<Named> of(Loader loader, Kustomization kustomization, TransformerConfig tc, Schema schema) {
    List<Named> ts = new ArrayList<>();
    Path file = kustomization.file();
    Kustomization.Fields k = kustomization.fields();
    for (String entry : k.patchesStrategicMerge()) {
      add(ts, loader, file, tc, schema, config("PatchStrategicMergeTransformer", "paths", List.of(entry)));
    }
    for (Map<String, Object> entry : k.patches()) {
      Map<String, Object> c = config("PatchTransformer", null, null);
      c.putAll(entry);
      add(ts, loader, file, tc, schema, c);
    }
    String namespace = k.namespace();
    if (namespace != null && !namespace.isEmpty()) {
      Map<String, Object> c = config("NamespaceTransformer", "metadata", new LinkedHashMap<>(Map.of("namespace", namespace)));
      c.put("fieldSpecs", FieldSpec.toMaps(tc.get("namespace")));
      add(ts, loader, file, tc, schema, c);
    }
    String prefix = k.namePrefix();
    if (prefix != null && !prefix.isEmpty()) {
      Map<String, Object> c = config("PrefixTransformer", "prefix", prefix);
      c.put("fieldSpecs", FieldSpec.toMaps(tc.get("namePrefix")));
      add(ts, loader, file, tc, schema, c);
    }
    String suffix = k.nameSuffix();
    if (suffix != null && !suffix.isEmpty()) {
      Map<String, Object> c = config("SuffixTransformer", "suffix", suffix);
      c.put("fieldSpecs", FieldSpec.toMaps(tc.get("nameSuffix")));
      add(ts, loader, file, tc, schema, c);
    }
    for (Map<String, Object> label : k.labels()) {
      List<FieldSpec> fss = new ArrayList<>();
      if (Boolean.TRUE.equals(label.get("includeSelectors"))) {
        fss.addAll(tc.get("commonLabels"));
        fss.addAll(tc.get("metadataLabels"));
      } else {
        fss.add(new FieldSpec(new Gvk("", "", ""), "metadata/labels", true));
        if (Boolean.TRUE.equals(label.get("includeTemplates"))) {
          fss.addAll(tc.get("metadataLabels"));
        }
      }
      fss.addAll(FieldSpec.listOf(label.get("fields")));
      // a configuration's `labels` field specs apply to every `labels` entry, selectors and templates included
      // (kusttarget_configplugin.go LabelTransformer: fss.MergeAll(tc.Labels))
      fss.addAll(tc.get("labels"));
      Map<String, Object> c = config("LabelTransformer", "labels", new LinkedHashMap<>(JsonTrees.stringMap(label.get("pairs"))));
      c.put("fieldSpecs", FieldSpec.toMaps(dedupe(fss)));
      add(ts, loader, file, tc, schema, c);
    }
    Map<String, String> commonLabels = k.commonLabels();
    if (!commonLabels.isEmpty()) {
      List<FieldSpec> fss = new ArrayList<>(tc.get("commonLabels"));
      fss.addAll(tc.get("metadataLabels"));
      Map<String, Object> c = config("LabelTransformer", "labels", new LinkedHashMap<>(commonLabels));
      c.put("fieldSpecs", FieldSpec.toMaps(dedupe(fss)));
      add(ts, loader, file, tc, schema, c);
    }
    Map<String, String> commonAnnotations = k.commonAnnotations();
    if (!commonAnnotations.isEmpty()) {
      Map<String, Object> c = config("AnnotationsTransformer", "annotations", new LinkedHashMap<>(commonAnnotations));
      c.put("fieldSpecs", FieldSpec.toMaps(tc.get("commonAnnotations")));
      add(ts, loader, file, tc, schema, c);
    }
    for (Map<String, Object> entry : k.patchesJson6902()) {
      if (PatchTransformer.targetOf(entry) == null) {
        throw new KustomizeException(loader.display(kustomization.file()) + ": patchesJson6902 entry needs a target");
      }
      Map<String, Object> c = config("PatchJson6902Transformer", "target", entry.get("target"));
      putIfSet(c, "path", entry.get("path"));
      putIfSet(c, "jsonOp", entry.get("patch"));
      add(ts, loader, file, tc, schema, c);
    }
    List<Map<String, Object>> replicas = k.replicas();
    for (int i = 0; i < replicas.size(); i++) {
      Map<String, Object> entry = replicas.get(i);
      Object count = entry.get("count");
      long n;
      if (count == null || count instanceof Number) {
        n = count == null ? 0 : ((Number) count).longValue(); // a missing count is Go's zero value
      } else {
        try {
          n = Long.parseLong(String.valueOf(count));
        } catch (NumberFormatException e) {
          throw new KustomizeException("replicas[" + i + "].count is not an integer");
        }
      }
      Map<String, Object> replica = new LinkedHashMap<>();
      putIfSet(replica, "name", JsonTrees.string(entry, "name"));
      replica.put("count", n);
      add(ts, loader, file, tc, schema, config("ReplicaCountTransformer", "replica", replica));
    }
    for (Map<String, Object> image : k.images()) {
      add(ts, loader, file, tc, schema, config("ImageTagTransformer", "imageTag", image));
    }
    for (Map<String, Object> entry : k.replacements()) {
      add(ts, loader, file, tc, schema, config("ReplacementTransformer", "replacements", List.of(entry)));
    }
    return ts;
  }

  /** {@code {apiVersion: builtin, kind: KIND, KEY: VALUE}} (without the key when it is null), mutable. */
  private static Map<String, Object> config(String kind, String key, Object value) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("apiVersion", "builtin");
    c.put("kind", kind);
    putIfSet(c, key, value);
    return c;
  }

  private static void putIfSet(Map<String, Object> m, String key, Object value) {
    if (key != null && value != null) {
      m.put(key, value);
    }
  }

  /** The field's plugin config through {@link BuiltinPlugins#transformer}, named by its kind. */
  private static void add(List<Named> ts, Loader loader, Path file, TransformerConfig tc, Schema schema,
      Map<String, Object> config) {
    ts.add(new Named((String) config.get("kind"), BuiltinPlugins.transformer(loader, file, config, tc, schema)));
  }

  private static List<FieldSpec> dedupe(List<FieldSpec> in) {
    List<FieldSpec> out = new ArrayList<>();
    for (FieldSpec fs : in) {
      if (!out.contains(fs)) {
        out.add(fs);
      }
    }
    return out;
  }

  /**
   * Loads patches, files or inline text, for the kustomization fields and for PatchTransformer and
   * PatchJson6902Transformer configs alike (one rule: kustomize's PatchTransformer Config refuses both 'path' and
   * 'patch', and neither).
   *
   * @param loader the loader of the kustomization directory
   * @param file the kustomization or plugin config file the patch is named in, for messages
   */
  record Patches(Loader loader, Path file) {

    Patch of(Map<String, Object> entry) {
      return of(entry, "patch");
    }

    /** As {@link #of(Map)} with the inline text under {@code inlineKey} ({@code jsonOp} for PatchJson6902Transformer). */
    Patch of(Map<String, Object> entry, String inlineKey) {
      String path = JsonTrees.string(entry, "path");
      String inline = JsonTrees.string(entry, inlineKey);
      if (path != null && inline != null) {
        throw new KustomizeException(loader.display(file) + ": patch and path can't be set at the same time");
      }
      if (path != null) {
        return load(path, false);
      }
      if (inline == null) {
        throw new KustomizeException(loader.display(file) + ": a patch needs 'path' or 'patch'");
      }
      String name = loader.display(file) + " (inline patch)";
      return Patch.of(name, KYaml.parseDocuments(inline, name, file));
    }

    /** Loads a patch file; for patchesStrategicMerge an entry may also be inline YAML. */
    Patch load(String entry, boolean mayBeInline) {
      if (mayBeInline && (entry.contains("\n") || !Files.exists(loader.resolve(entry)) && entry.contains(":"))) {
        String name = loader.display(file) + " (inline patch)";
        return Patch.of(name, KYaml.parseDocuments(entry, name, file));
      }
      Path p = loader.checkedFile(entry);
      String name = loader.display(p);
      return Patch.of(name, KYaml.parseDocuments(loader.readText(entry), name, p));
    }
  }
}

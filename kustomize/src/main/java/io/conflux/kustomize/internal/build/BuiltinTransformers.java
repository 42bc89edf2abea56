package io.conflux.kustomize.internal.build;

import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.internal.JsonTrees;
import io.conflux.kustomize.internal.fieldspec.FieldSpec;
import io.conflux.kustomize.internal.fieldspec.TransformerConfig;
import io.conflux.kustomize.internal.patch.Patch;
import io.conflux.kustomize.internal.patch.PatchTransformer;
import io.conflux.kustomize.internal.patch.Schema;
import io.conflux.kustomize.internal.resource.Gvk;
import io.conflux.kustomize.internal.resource.Selector;
import io.conflux.kustomize.internal.transform.ImageTagTransformer;
import io.conflux.kustomize.internal.transform.MapEntriesTransformer;
import io.conflux.kustomize.internal.transform.NamespaceTransformer;
import io.conflux.kustomize.internal.transform.PrefixSuffixTransformer;
import io.conflux.kustomize.internal.transform.ReplacementTransformer;
import io.conflux.kustomize.internal.transform.ReplicaCountTransformer;
import io.conflux.kustomize.internal.transform.Transformer;
import io.conflux.kustomize.yaml.KYaml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The built-in transformers a kustomization's fields configure, in kustomize's order (follows
 * api/internal/target/kusttarget_configplugin.go): patchesStrategicMerge, patches, namespace,
 * namePrefix, nameSuffix, labels, commonLabels, commonAnnotations, patchesJson6902, replicas,
 * images, replacements.
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
    Patches patches = new Patches(loader, kustomization.file());
    List<Named> ts = new ArrayList<>();
    for (String entry : kustomization.strings("patchesStrategicMerge")) {
      add(ts, "PatchStrategicMergeTransformer", new PatchTransformer(patches.load(entry, true), null, false, false, schema));
    }
    for (Map<String, Object> entry : kustomization.maps("patches")) {
      add(ts, "PatchTransformer", new PatchTransformer(patches.of(entry), PatchTransformer.targetOf(entry),
          PatchTransformer.option(entry, "allowNameChange"), PatchTransformer.option(entry, "allowKindChange"),
          schema));
    }
    String namespace = kustomization.string("namespace");
    if (namespace != null && !namespace.isEmpty()) {
      add(ts, "NamespaceTransformer", new NamespaceTransformer(namespace, tc.get("namespace"), false));
    }
    String prefix = kustomization.string("namePrefix");
    if (prefix != null && !prefix.isEmpty()) {
      add(ts, "PrefixTransformer", new PrefixSuffixTransformer(prefix, "", tc.get("namePrefix")));
    }
    String suffix = kustomization.string("nameSuffix");
    if (suffix != null && !suffix.isEmpty()) {
      add(ts, "SuffixTransformer", new PrefixSuffixTransformer("", suffix, tc.get("nameSuffix")));
    }
    for (Map<String, Object> label : kustomization.maps("labels")) {
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
      add(ts, "LabelTransformer", new MapEntriesTransformer(JsonTrees.stringMap(label.get("pairs")), dedupe(fss)));
    }
    Map<String, String> commonLabels = kustomization.stringMap("commonLabels");
    if (!commonLabels.isEmpty()) {
      List<FieldSpec> fss = new ArrayList<>(tc.get("commonLabels"));
      fss.addAll(tc.get("metadataLabels"));
      add(ts, "LabelTransformer", new MapEntriesTransformer(commonLabels, dedupe(fss)));
    }
    Map<String, String> commonAnnotations = kustomization.stringMap("commonAnnotations");
    if (!commonAnnotations.isEmpty()) {
      add(ts, "AnnotationsTransformer", new MapEntriesTransformer(commonAnnotations, tc.get("commonAnnotations")));
    }
    for (Map<String, Object> entry : kustomization.maps("patchesJson6902")) {
      Selector target = PatchTransformer.targetOf(entry);
      if (target == null) {
        throw new KustomizeException(loader.display(kustomization.file()) + ": patchesJson6902 entry needs a target");
      }
      add(ts, "PatchJson6902Transformer", new PatchTransformer(patches.of(entry), target, false, false, schema));
    }
    List<Map<String, Object>> replicas = kustomization.maps("replicas");
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
      add(ts, "ReplicaCountTransformer", new ReplicaCountTransformer(JsonTrees.string(entry, "name"), n, tc.get("replicas")));
    }
    for (Map<String, Object> image : kustomization.maps("images")) {
      add(ts, "ImageTagTransformer", ImageTagTransformer.of(image, tc.get("images")));
    }
    for (Map<String, Object> entry : kustomization.maps("replacements")) {
      add(ts, "ReplacementTransformer", ReplacementTransformer.of(loader, entry));
    }
    return ts;
  }

  private static void add(List<Named> ts, String kind, Transformer t) {
    ts.add(new Named(kind, t));
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
    private Patch load(String entry, boolean mayBeInline) {
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

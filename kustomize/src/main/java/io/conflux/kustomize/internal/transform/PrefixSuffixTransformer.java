package io.conflux.kustomize.internal.transform;

import io.conflux.kustomize.internal.fieldspec.FieldSpec;
import io.conflux.kustomize.internal.fieldspec.FieldWalker;
import io.conflux.kustomize.internal.resource.Gvk;
import io.conflux.kustomize.internal.resource.ResId;
import io.conflux.kustomize.internal.resource.ResMap;
import io.conflux.kustomize.internal.resource.Resource;
import java.util.List;

/**
 * Adds a name prefix and/or suffix to the fields of the namePrefix/nameSuffix field specs
 * ({@code metadata/name} by default), except on CRDs, APIServices and Namespaces (follows
 * plugin/builtin/prefixtransformer, suffixtransformer and prefixsuffixtransformer).
 */
public record PrefixSuffixTransformer(String prefix, String suffix, List<FieldSpec> fieldSpecs)
    implements Transformer {

  /** Without field specs, the transformer acts on metadata/name of every object. */
  public PrefixSuffixTransformer {
    if (fieldSpecs == null || fieldSpecs.isEmpty()) {
      fieldSpecs = List.of(new FieldSpec(new Gvk("", "", ""), "metadata/name", false));
    }
  }

  private static final List<Gvk> SKIP = List.of(new Gvk("", "", "CustomResourceDefinition"),
      new Gvk("apiregistration.k8s.io", "", "APIService"), new Gvk("", "", "Namespace"));

  @Override
  public void transform(ResMap m) {
    String p = prefix == null ? "" : prefix;
    String s = suffix == null ? "" : suffix;
    for (Resource r : m.resources()) {
      ResId org = r.orgId();
      if (SKIP.stream().anyMatch(g -> org.gvk().isSelected(g))) {
        continue;
      }
      for (FieldSpec fs : fieldSpecs) {
        if (!org.gvk().isSelected(fs.gvk())) {
          continue;
        }
        if (fs.path().equals("metadata/name")) {
          if (!p.isEmpty()) {
            r.namePrefixes().add(p);
          }
          if (!s.isEmpty()) {
            r.nameSuffixes().add(s);
          }
          if (!p.isEmpty() || !s.isEmpty()) {
            r.storePreviousId();
          }
        }
        FieldWalker.walk(r.object(), r.gvk(), fs, FieldWalker.CreateKind.NONE, slot -> {
          Object v = slot.get();
          if (v instanceof String str) {
            slot.set(p + str + s);
          }
        });
      }
    }
  }
}

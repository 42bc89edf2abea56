package io.conflux.kustomize.internal.fieldspec;

import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.internal.JsonTrees;
import io.conflux.kustomize.internal.resource.Gvk;
import io.conflux.kustomize.yaml.KYaml;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The field specs each built-in transformer acts on: kustomize's defaults
 * (api/internal/konfig/builtinpluginconsts) merged with a kustomization's {@code configurations}
 * files (follows api/internal/plugins/builtinconfig/transformerconfig.go).
 */
public final class TransformerConfig {
  /** The field-spec lists by key: namePrefix, nameSuffix, namespace, commonLabels, ... */
  private final Map<String, List<FieldSpec>> specs = new LinkedHashMap<>();
  private final List<NameBackRef> nameReference = new ArrayList<>();

  private static final String[] KEYS = {"namePrefix", "nameSuffix", "namespace", "commonLabels",
      "metadataLabels", "labels", "commonAnnotations", "images", "replicas", "varReference"};

  private TransformerConfig() {
    for (String k : KEYS) {
      specs.put(k, new ArrayList<>());
    }
  }

  /** An empty configuration. */
  public static TransformerConfig empty() {
    return new TransformerConfig();
  }

  private static final TransformerConfig DEFAULTS = loadDefaults();

  /** kustomize's default configuration (a fresh copy). */
  public static TransformerConfig defaults() {
    return DEFAULTS.copy();
  }

  private static TransformerConfig loadDefaults() {
    TransformerConfig c = new TransformerConfig();
    try (InputStream in = TransformerConfig.class.getResourceAsStream("defaults.yaml")) {
      if (in == null) {
        throw new IllegalStateException("defaults.yaml missing");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      c.merge(KYaml.parseBuiltin(text, "defaults.yaml").get(0), "defaults.yaml");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return c;
  }

  /** A copy of this configuration. */
  public TransformerConfig copy() {
    TransformerConfig c = new TransformerConfig();
    specs.forEach((k, v) -> c.specs.get(k).addAll(v));
    for (NameBackRef r : nameReference) {
      c.nameReference.add(new NameBackRef(r.gvk(), new ArrayList<>(r.referrers())));
    }
    return c;
  }

  /** Merges a parsed configuration file (same shape as kustomize's transformer configs). */
  public void merge(Object parsed, String fileName) {
    if (!(parsed instanceof Map<?, ?> m)) {
      throw new KustomizeException(fileName + ": a transformer configuration must be a mapping");
    }
    for (Map.Entry<?, ?> e : m.entrySet()) {
      String key = String.valueOf(e.getKey());
      if (key.equals("nameReference")) {
        for (Object o : e.getValue() instanceof List<?> l ? l : List.of()) {
          Map<String, Object> ref = asMap(o);
          Gvk gvk = new Gvk(JsonTrees.string(ref, "group"), JsonTrees.string(ref, "version"),
              JsonTrees.string(ref, "kind"));
          addBackRef(new NameBackRef(gvk, FieldSpec.listOf(ref.get("fieldSpecs"))));
        }
      } else if (specs.containsKey(key)) {
        for (FieldSpec fs : FieldSpec.listOf(e.getValue())) {
          add(key, fs);
        }
      }
    }
  }

  /** Merges another configuration into this one. */
  public void merge(TransformerConfig other) {
    other.specs.forEach((k, v) -> v.forEach(fs -> add(k, fs)));
    other.nameReference.forEach(this::addBackRef);
  }

  private void add(String key, FieldSpec fs) {
    List<FieldSpec> list = specs.get(key);
    if (!list.contains(fs)) {
      list.add(fs);
    }
  }

  /** Adds referrers to the entry of the same gvk, or a new entry. */
  public void addBackRef(NameBackRef ref) {
    for (int i = 0; i < nameReference.size(); i++) {
      NameBackRef cur = nameReference.get(i);
      if (cur.gvk().equals(ref.gvk())) {
        List<FieldSpec> merged = new ArrayList<>(cur.referrers());
        for (FieldSpec fs : ref.referrers()) {
          if (!merged.contains(fs)) {
            merged.add(fs);
          }
        }
        nameReference.set(i, new NameBackRef(cur.gvk(), merged));
        return;
      }
    }
    nameReference.add(new NameBackRef(ref.gvk(), new ArrayList<>(ref.referrers())));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object o) {
    return o instanceof Map<?, ?> ? (Map<String, Object>) o : Map.of();
  }

  /** The specs for one key. */
  public List<FieldSpec> get(String key) {
    return specs.get(key);
  }

  /** The nameReference entries: referral kinds and the fields that name them. */
  public List<NameBackRef> nameReference() {
    return nameReference;
  }
}

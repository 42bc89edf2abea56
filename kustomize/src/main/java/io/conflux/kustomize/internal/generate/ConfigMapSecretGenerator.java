package io.conflux.kustomize.internal.generate;

import io.conflux.kustomize.internal.JsonTrees;
import io.conflux.kustomize.internal.resource.Resource;
import io.conflux.kustomize.internal.build.Loader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Generates one ConfigMap or Secret from a {@code configMapGenerator} / {@code secretGenerator}
 * entry (follows api/internal/generators/configmap.go and secret.go): data from literals, files
 * and env files, labels and annotations from the options, the name hash requested unless
 * {@code disableNameSuffixHash}.
 */
public final class ConfigMapSecretGenerator {
  private ConfigMapSecretGenerator() {}

  /**
   * @param kind {@code ConfigMap} or {@code Secret}
   * @param args the generator entry (name, namespace, behavior, literals, files, envs, options, type)
   * @param global the kustomization's generatorOptions
   */
  public static Resource generate(Loader loader, String kind, Map<String, Object> args, GeneratorOptions global) {
    String name = JsonTrees.string(args, "name");
    if (name == null || name.isEmpty()) {
      throw new io.conflux.kustomize.KustomizeException("a " + kind + " generator needs a name");
    }
    GeneratorOptions options = GeneratorOptions.of(JsonTrees.map(args, "options")).withGlobal(global);
    Map<String, Object> obj = new LinkedHashMap<>();
    obj.put("apiVersion", "v1");
    obj.put("kind", kind);
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("name", name);
    String namespace = JsonTrees.string(args, "namespace");
    if (namespace != null && !namespace.isEmpty()) {
      meta.put("namespace", namespace);
    }
    if (!options.labels().isEmpty()) {
      meta.put("labels", new LinkedHashMap<String, Object>(options.labels()));
    }
    if (!options.annotations().isEmpty()) {
      meta.put("annotations", new LinkedHashMap<String, Object>(options.annotations()));
    }
    obj.put("metadata", meta);
    if (kind.equals("Secret")) {
      String type = JsonTrees.string(args, "type");
      obj.put("type", type == null || type.isEmpty() ? "Opaque" : type);
    }
    List<DataSources.Pair> pairs = DataSources.load(loader, args, name);
    Map<String, Object> data = new TreeMap<>();
    Map<String, Object> binary = new TreeMap<>();
    for (DataSources.Pair p : pairs) {
      if (kind.equals("Secret")) {
        byte[] bytes = p.bytes() != null ? p.bytes() : p.value().getBytes(StandardCharsets.UTF_8);
        data.put(p.key(), encodeBase64(bytes));
      } else if (p.bytes() != null && !isUtf8(p.bytes())) {
        binary.put(p.key(), encodeBase64(p.bytes()));
      } else {
        data.put(p.key(), p.value());
      }
    }
    if (!data.isEmpty() || kind.equals("Secret")) {
      // kyaml writes a Secret's data even when empty (data: {}); a ConfigMap's only when it has entries
      obj.put("data", new LinkedHashMap<>(data));
    }
    if (!binary.isEmpty()) {
      obj.put("binaryData", new LinkedHashMap<>(binary));
    }
    if (options.immutable()) {
      obj.put("immutable", true);
    }
    Resource r = new Resource(obj);
    r.setNeedsHashSuffix(!options.disableNameSuffixHash());
    r.setBehavior(JsonTrees.string(args, "behavior"));
    return r;
  }

  private static boolean isUtf8(byte[] bytes) {
    try {
      StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  /**
   * Base64 as kyaml's datamap.go encodeBase64 writes Secret data and ConfigMap binaryData: when the encoding is 70
   * characters or longer it is cut into lines of 70, each (the last too) followed by a newline, which kustomize
   * then prints as a literal block and hashes as such.
   */
  static String encodeBase64(byte[] bytes) {
    String enc = Base64.getEncoder().encodeToString(bytes);
    final int lineLen = 70;
    if (enc.length() < lineLen) {
      return enc;
    }
    StringBuilder out = new StringBuilder(enc.length() + enc.length() / lineLen + 1);
    for (int i = 0; i < enc.length(); i += lineLen) {
      out.append(enc, i, Math.min(enc.length(), i + lineLen)).append('\n');
    }
    return out.toString();
  }
}

package io.conflux.kustomize;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;

/**
 * Random and mutated YAML trees (maps, lists, scalars) for the fuzz tests: values drawn from kustomize's field
 * names, the tree's own file names (so that references resolve and the build goes deeper), paths that climb out
 * of the root, and scalars of every YAML type.
 */
final class YamlTrees {
  private static final List<String> STRINGS = List.of("", " ", "-", "..", "../..", "/", "/etc/passwd", "a=b", "=",
      "key=", "=value", "x.yaml", "missing.yaml", "base", "./", "kustomization.yaml", "ConfigMap", "Deployment",
      "v1", "apps/v1", "nginx", "nginx:1.27", "sha256:abc", "*", ".*", "[", "${X}", "$(X)", "true", "null", "0x1F",
      "1e400", "-1", "\u00e9\u00e8", "\u0000", "metadata.name", "spec.replicas", "spec.template.spec.containers.0",
      "spec.containers.[name=app].image", "fifo", "legacy", "merge", "replace", "create", "add", "remove",
      "https://example.com/x.yaml", "github.com/org/repo", "a/b/c", "~", "0", "9223372036854775808");

  private YamlTrees() {}

  static String dump(Object doc) {
    return new Dump(DumpSettings.builder().build()).dumpToString(doc);
  }

  /** A scalar: a string of {@link #STRINGS} or a file name of the tree, a number, a boolean or null. */
  static Object scalar(Random r, Collection<String> names) {
    List<String> n = new ArrayList<>(names);
    return switch (r.nextInt(9)) {
      case 0 -> null;
      case 1 -> r.nextBoolean();
      case 2 -> (long) r.nextInt(5) - 1;
      case 3 -> r.nextLong();
      case 4 -> r.nextDouble() * 1e6;
      case 5, 6 -> n.isEmpty() ? "x.yaml" : n.get(r.nextInt(n.size()));
      default -> STRINGS.get(r.nextInt(STRINGS.size()));
    };
  }

  /** A random tree of at most {@code depth} levels, map keys from {@code fields}. */
  static Object random(Random r, int depth, List<String> fields, Collection<String> names) {
    if (depth <= 0 || r.nextInt(3) == 0) {
      return scalar(r, names);
    }
    if (r.nextBoolean()) {
      Map<Object, Object> m = new LinkedHashMap<>();
      int n = r.nextInt(4);
      for (int i = 0; i < n; i++) {
        Object key = r.nextInt(10) == 0 ? scalar(r, names) : fields.get(r.nextInt(fields.size()));
        m.put(key, random(r, depth - 1, fields, names));
      }
      return m;
    }
    List<Object> l = new ArrayList<>();
    int n = r.nextInt(4);
    for (int i = 0; i < n; i++) {
      l.add(random(r, depth - 1, fields, names));
    }
    return l;
  }

  /** A kustomization: a few of kustomize's fields, each with a random value (lists of file names often). */
  static Map<Object, Object> kustomization(Random r, Collection<String> names, List<String> fields) {
    Map<Object, Object> k = new LinkedHashMap<>();
    if (r.nextBoolean()) {
      k.put("apiVersion", "kustomize.config.k8s.io/v1beta1");
      k.put("kind", r.nextInt(4) == 0 ? "Component" : "Kustomization");
    }
    int n = 1 + r.nextInt(5);
    for (int i = 0; i < n; i++) {
      String field = fields.get(r.nextInt(Math.min(fields.size(), 33)));
      Object value;
      if (r.nextBoolean()) {
        List<Object> l = new ArrayList<>();
        int m = 1 + r.nextInt(3);
        for (int j = 0; j < m; j++) {
          l.add(r.nextBoolean() ? scalar(r, names) : random(r, 3, fields, names));
        }
        value = l;
      } else {
        value = random(r, 3, fields, names);
      }
      k.put(field, value);
    }
    return k;
  }

  /** A Kubernetes-looking object with random fields. */
  static Map<Object, Object> object(Random r) {
    Map<Object, Object> o = new LinkedHashMap<>();
    o.put("apiVersion", r.nextBoolean() ? "v1" : "apps/v1");
    o.put("kind", List.of("ConfigMap", "Deployment", "Service", "Secret", "Namespace", "ConfigMapList").get(r.nextInt(6)));
    Map<Object, Object> meta = new LinkedHashMap<>();
    meta.put("name", r.nextInt(6) == 0 ? scalar(r, List.of()) : "obj" + r.nextInt(3));
    if (r.nextBoolean()) {
      meta.put("namespace", r.nextBoolean() ? "ns" : scalar(r, List.of()));
    }
    o.put("metadata", r.nextInt(10) == 0 ? scalar(r, List.of()) : meta);
    if (r.nextBoolean()) {
      o.put(r.nextBoolean() ? "data" : "spec", random(r, 3,
          List.of("replicas", "template", "containers", "name", "image", "items", "selector", "a"), List.of()));
    }
    return o;
  }

  /** One mutation somewhere in {@code doc}: a value replaced, retyped, deleted, duplicated, or a field added. */
  @SuppressWarnings("unchecked")
  static Object mutate(Object doc, Random r, Collection<String> names, List<String> fields) {
    if (!(doc instanceof Map<?, ?>) && !(doc instanceof List<?>) || r.nextInt(6) == 0) {
      return r.nextInt(3) == 0 ? scalar(r, names) : random(r, 3, fields, names);
    }
    if (doc instanceof Map<?, ?> map) {
      Map<Object, Object> m = new LinkedHashMap<>((Map<Object, Object>) map);
      List<Object> keys = new ArrayList<>(m.keySet());
      int op = r.nextInt(5);
      if (keys.isEmpty() || op == 0) {
        m.put(fields.get(r.nextInt(fields.size())), random(r, 3, fields, names));
      } else {
        Object key = keys.get(r.nextInt(keys.size()));
        switch (op) {
          case 1 -> m.remove(key);
          case 2 -> m.put(key, random(r, 2, fields, names));
          default -> m.put(key, mutate(m.get(key), r, names, fields));
        }
      }
      return m;
    }
    List<Object> l = new ArrayList<>((List<Object>) doc);
    int op = r.nextInt(4);
    if (l.isEmpty() || op == 0) {
      l.add(r.nextBoolean() ? scalar(r, names) : random(r, 3, fields, names));
    } else {
      int i = r.nextInt(l.size());
      switch (op) {
        case 1 -> l.remove(i);
        case 2 -> l.add(l.get(i));
        default -> l.set(i, mutate(l.get(i), r, names, fields));
      }
    }
    return l;
  }
}

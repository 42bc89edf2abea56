package io.conflux.kustomize.internal;

import io.conflux.kustomize.yaml.YamlMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reading, copying and comparing JSON-compatible object trees (maps with string keys, lists, strings, Long/Double,
 * Boolean, null) as YAML documents become once parsed: typed lookups ({@code string}, {@code map}, {@code list}),
 * deep copies, scalar text as kustomize prints it.
 */
public final class JsonTrees {
  private JsonTrees() {}

  /**
   * A deep, mutable copy of a tree; numbers are normalised to Long/Double. A {@link YamlMap} is copied as one, its
   * empty nulls ({@code x:}) still marked.
   */
  @SuppressWarnings("unchecked")
  public static Object deepCopy(Object value) {
    if (value instanceof Map<?, ?> m) {
      Map<String, Object> out = m instanceof YamlMap ? new YamlMap() : new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        String key = String.valueOf(e.getKey());
        YamlMap.putLike(out, m, key, deepCopy(e.getValue()));
      }
      return out;
    }
    if (value instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (Object o : l) {
        out.add(deepCopy(o));
      }
      return out;
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof Float f) {
      return f.doubleValue();
    }
    if (value instanceof java.math.BigInteger b) {
      return b.bitLength() < 64 ? (Object) b.longValue() : b.toString();
    }
    return value;
  }

  /** A deep mutable copy of a map. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> copyMap(Map<String, Object> m) {
    return (Map<String, Object>) deepCopy(m);
  }

  /** A deep unmodifiable copy of a map. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> unmodifiableDeepCopy(Map<String, Object> m) {
    return (Map<String, Object>) unmodifiable(m);
  }

  private static Object unmodifiable(Object value) {
    if (value instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        out.put(String.valueOf(e.getKey()), unmodifiable(e.getValue()));
      }
      return Collections.unmodifiableMap(out);
    }
    if (value instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (Object o : l) {
        out.add(unmodifiable(o));
      }
      return Collections.unmodifiableList(out);
    }
    return value;
  }

  /** The map at {@code key} of {@code m}, or null when absent or not a map. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> map(Object m, String key) {
    if (m instanceof Map<?, ?> mm && mm.get(key) instanceof Map<?, ?> v) {
      return (Map<String, Object>) v;
    }
    return null;
  }

  /** The list at {@code key} of {@code m}, or null when absent or not a list. */
  @SuppressWarnings("unchecked")
  public static List<Object> list(Object m, String key) {
    if (m instanceof Map<?, ?> mm && mm.get(key) instanceof List<?> v) {
      return (List<Object>) v;
    }
    return null;
  }

  /** The string at {@code key} of {@code m}; scalars are rendered as text; null when absent. */
  public static String string(Object m, String key) {
    if (m instanceof Map<?, ?> mm) {
      Object v = mm.get(key);
      if (v == null || v instanceof Map || v instanceof List) {
        return null;
      }
      return scalarText(v);
    }
    return null;
  }

  /**
   * The value at {@code key}, matched exactly or else case-insensitively, as Go's encoding/json
   * matches struct fields (kustomize reads kustomization files that way).
   */
  public static Object getIgnoreCase(Object m, String key) {
    if (!(m instanceof Map<?, ?> mm)) {
      return null;
    }
    if (mm.containsKey(key)) {
      return mm.get(key);
    }
    for (Map.Entry<?, ?> e : mm.entrySet()) {
      if (String.valueOf(e.getKey()).equalsIgnoreCase(key)) {
        return e.getValue();
      }
    }
    return null;
  }

  /** The map at {@code key}, created (and put) when absent. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> mapOrCreate(Map<String, Object> m, String key) {
    Object v = m.get(key);
    if (v instanceof Map<?, ?>) {
      return (Map<String, Object>) v;
    }
    Map<String, Object> created = new LinkedHashMap<>();
    m.put(key, created);
    return created;
  }

  /** Follows a dotted path of map keys; null when any step is missing. */
  public static Object get(Object root, String... path) {
    Object cur = root;
    for (String p : path) {
      if (!(cur instanceof Map<?, ?> m)) {
        return null;
      }
      cur = m.get(p);
    }
    return cur;
  }

  /** The text of a scalar as YAML would print it (numbers without a trailing .0 when integral). */
  public static String scalarText(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof Double d) {
      if (d.isNaN()) {
        return ".nan";
      }
      if (d.isInfinite()) {
        return d > 0 ? ".inf" : "-.inf";
      }
      if (d == Math.rint(d) && Math.abs(d) < 1e15) {
        return String.valueOf(d.longValue());
      }
      return goFloat(d);
    }
    return String.valueOf(v);
  }

  /** A double as Go's encoding/json writes it: plain decimals in [1e-6, 1e21), else {@code 1.5e-07}. */
  private static String goFloat(double d) {
    double abs = Math.abs(d);
    if (abs >= 1e-6 && abs < 1e21) {
      return new java.math.BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString();
    }
    String s = Double.toString(d);
    int e = s.indexOf('E');
    String mantissa = s.substring(0, e);
    if (mantissa.endsWith(".0")) {
      mantissa = mantissa.substring(0, mantissa.length() - 2);
    }
    int exp = Integer.parseInt(s.substring(e + 1));
    return mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
  }

  /** A map of string values (labels, annotations, selectors), empty when absent. */
  public static Map<String, String> stringMap(Object m) {
    Map<String, String> out = new LinkedHashMap<>();
    if (m instanceof Map<?, ?> mm) {
      for (Map.Entry<?, ?> e : mm.entrySet()) {
        out.put(String.valueOf(e.getKey()), e.getValue() == null ? "" : scalarText(e.getValue()));
      }
    }
    return out;
  }
}

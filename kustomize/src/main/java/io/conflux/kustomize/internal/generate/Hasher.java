package io.conflux.kustomize.internal.generate;

import io.conflux.kustomize.internal.JsonTrees;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The content hash kustomize appends to generated ConfigMap and Secret names (follows
 * kyaml/hasher/hasher.go HashRNode): the SHA-256 of a JSON encoding of kind, name, data and
 * binaryData (Secrets: type, data and stringData), its first 10 hex digits with 0,1,3,a,e mapped to
 * g,h,k,m,t. As in kustomize, the name is looked up as a single field called "metadata/name",
 * which never exists, so it is always encoded as the empty string.
 */
public final class Hasher {
  private Hasher() {}

  /** The 10-character suffix for an object. */
  public static String hash(Map<String, Object> object) {
    String kind = JsonTrees.string(object, "kind");
    String name = "";
    Map<String, Object> m = new TreeMap<>();
    if ("ConfigMap".equals(kind)) {
      m.put("kind", "ConfigMap");
      m.put("name", name);
      m.put("data", value(object, "data"));
      if (object.get("binaryData") instanceof Map<?, ?>) {
        m.put("binaryData", object.get("binaryData"));
      }
    } else if ("Secret".equals(kind)) {
      m.put("kind", "Secret");
      m.put("type", value(object, "type"));
      m.put("name", name);
      m.put("data", value(object, "data"));
      if (object.get("stringData") instanceof Map<?, ?>) {
        m.put("stringData", object.get("stringData"));
      }
    } else {
      m.putAll(object);
    }
    return encode(hex256(GoJson.encode(m)));
  }

  private static Object value(Map<String, Object> object, String field) {
    Object v = object.get(field);
    if (v == null) {
      return "";
    }
    return v;
  }

  static String hex256(String data) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(data.getBytes(StandardCharsets.UTF_8));
      StringBuilder b = new StringBuilder();
      for (byte x : d) {
        b.append(String.format("%02x", x));
      }
      return b.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String encode(String hex) {
    char[] enc = hex.substring(0, 10).toCharArray();
    for (int i = 0; i < enc.length; i++) {
      switch (enc[i]) {
        case '0' -> enc[i] = 'g';
        case '1' -> enc[i] = 'h';
        case '3' -> enc[i] = 'k';
        case 'a' -> enc[i] = 'm';
        case 'e' -> enc[i] = 't';
        default -> { }
      }
    }
    return new String(enc);
  }

  /** Go's encoding/json output for JSON-compatible trees: sorted keys, HTML-safe escaping. */
  static final class GoJson {
    private GoJson() {}

    static String encode(Object v) {
      StringBuilder b = new StringBuilder();
      write(b, v);
      return b.toString();
    }

    private static void write(StringBuilder b, Object v) {
      if (v == null) {
        b.append("null");
      } else if (v instanceof Map<?, ?> m) {
        List<String> keys = new ArrayList<>();
        m.keySet().forEach(k -> keys.add(String.valueOf(k)));
        Collections.sort(keys);
        b.append('{');
        for (int i = 0; i < keys.size(); i++) {
          if (i > 0) {
            b.append(',');
          }
          string(b, keys.get(i));
          b.append(':');
          write(b, m.get(keys.get(i)));
        }
        b.append('}');
      } else if (v instanceof List<?> l) {
        b.append('[');
        for (int i = 0; i < l.size(); i++) {
          if (i > 0) {
            b.append(',');
          }
          write(b, l.get(i));
        }
        b.append(']');
      } else if (v instanceof String s) {
        string(b, s);
      } else if (v instanceof Double d) {
        b.append(JsonTrees.scalarText(d));
      } else {
        b.append(v);
      }
    }

    private static void string(StringBuilder b, String s) {
      b.append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '"' -> b.append("\\\"");
          case '\\' -> b.append("\\\\");
          case '\n' -> b.append("\\n");
          case '\r' -> b.append("\\r");
          case '\t' -> b.append("\\t");
          case '<', '>', '&', '\u2028', '\u2029' -> b.append(String.format("\\u%04x", (int) c));
          default -> {
            if (c < 0x20) {
              b.append(String.format("\\u%04x", (int) c));
            } else {
              b.append(c);
            }
          }
        }
      }
      b.append('"');
    }
  }
}

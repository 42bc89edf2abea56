package io.conflux.kustomize.internal.generate;

import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.internal.JsonTrees;
import io.conflux.kustomize.internal.build.Loader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The key/value pairs of a ConfigMap or Secret generator: {@code literals}, {@code files},
 * {@code envs} (and legacy {@code env}), in that order (follows api/kv/kv.go).
 * Values that are not valid UTF-8 are kept as bytes. Like kustomize v5.7, keys are not validated
 * beyond being unique.
 */
public final class DataSources {

  private DataSources() {}

  /** One pair; {@code bytes} set when the value came from a file. */
  public record Pair(String key, String value, byte[] bytes) {}

  /** Loads the pairs of a generator's arguments, rejecting repeated keys. */
  public static List<Pair> load(Loader loader, Map<String, Object> args, String generatorName) {
    List<Pair> pairs = new ArrayList<>();
    List<Object> literals = list(args, "literals");
    for (int i = 0; i < literals.size(); i++) {
      pairs.add(literal(String.valueOf(literals.get(i)), generatorName, i));
    }
    for (Object o : list(args, "files")) {
      pairs.add(file(loader, String.valueOf(o)));
    }
    List<Object> envs = new ArrayList<>(list(args, "envs"));
    String env = JsonTrees.string(args, "env");
    if (env != null && !env.isEmpty()) {
      envs.add(env);
    }
    for (Object o : envs) {
      pairs.addAll(envFile(loader, String.valueOf(o)));
    }
    Map<String, Pair> seen = new LinkedHashMap<>();
    for (Pair p : pairs) {
      if (seen.put(p.key(), p) != null) {
        throw new KustomizeException("configmap/secret " + generatorName + " illegally repeats the key `" + p.key() + "`");
      }
    }
    return pairs;
  }

  private static List<Object> list(Map<String, Object> args, String key) {
    List<Object> l = JsonTrees.list(args, key);
    return l == null ? List.of() : l;
  }

  static Pair literal(String source, String generatorName, int index) {
    int eq = source.indexOf('=');
    if (eq <= 0) {
      // Not the source itself: without '=' the whole entry may be a secretGenerator's value typed alone.
      throw new KustomizeException("generator " + generatorName + ": invalid literal source at literals[" + index
          + "] (no key before '='), expected key=value");
    }
    return new Pair(source.substring(0, eq), removeQuotes(source.substring(eq + 1)), null);
  }

  private static String removeQuotes(String s) {
    if (s.length() < 2 || s.charAt(0) != s.charAt(s.length() - 1)) {
      return s;
    }
    if (s.charAt(0) == '"' || s.charAt(0) == '\'') {
      return s.substring(1, s.length() - 1);
    }
    return s;
  }

  private static Pair file(Loader loader, String source) {
    String key;
    String path;
    int eq = source.indexOf('=');
    if (eq == 0) {
      throw new KustomizeException("key name for file path " + source + " missing");
    }
    if (eq > 0) {
      key = source.substring(0, eq);
      path = source.substring(eq + 1);
      if (path.isEmpty()) {
        throw new KustomizeException("file path for key name " + key + " missing");
      }
    } else {
      path = source;
      int slash = path.lastIndexOf('/');
      key = slash >= 0 ? path.substring(slash + 1) : path;
    }
    byte[] bytes = loader.readBytes(path);
    return new Pair(key, new String(bytes, StandardCharsets.UTF_8), bytes);
  }

  private static List<Pair> envFile(Loader loader, String path) {
    String text = loader.readText(path);
    List<Pair> out = new ArrayList<>();
    String[] lines = text.split("\\r?\\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (i == 0 && line.startsWith("\uFEFF")) {
        line = line.substring(1);
      }
      line = line.stripLeading();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      String key = eq >= 0 ? line.substring(0, eq) : line;
      if (key.isEmpty()) {
        throw new KustomizeException(loader.display(loader.resolve(path)) + ": line " + (i + 1) + " has no key");
      }
      String value = eq >= 0 ? line.substring(eq + 1) : "";
      out.add(new Pair(key, value, null));
    }
    return out;
  }
}

package io.conflux.kustomize.internal.build;

import io.conflux.kustomize.KustomizeException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads the string-typed fields of a kustomization file with YAML 1.1 scalar resolution, as kustomize does
 * (sigs.k8s.io/yaml over go-yaml v2, then encoding/json into the Kustomization struct of
 * api/types/kustomization.go): a plain {@code yes}, {@code on}, {@code n}, {@code 1.10}, {@code 0x1F},
 * {@code 017} or {@code 1_000} where the struct has a string is refused ("cannot unmarshal bool|number into Go
 * struct field ... of type string"), and a plain timestamp ({@code 2001-12-14}) stays the text written.
 * Fields of other types (replica counts, booleans) are read as before.
 */
final class Yaml11Fields {
  private Yaml11Fields() {}

  private static final Set<String> BOOL = Set.of("y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true",
      "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF");
  private static final Pattern FLOAT = Pattern.compile("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  private static final Pattern SPECIAL = Pattern.compile("[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)");
  private static final Pattern INT = Pattern.compile(
      "[-+]?(0[bB][01]+|0[oO]?[0-7]+|0[xX][0-9a-fA-F]+|[1-9][0-9]*|0)");
  private static final Pattern TIMESTAMP = Pattern.compile("[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?");

  private static final Set<String> TOP_STRINGS = Set.of("namespace", "namePrefix", "nameSuffix", "apiVersion", "kind");
  private static final Set<String> TOP_MAPS = Set.of("commonLabels", "commonAnnotations", "openapi");
  private static final Set<String> TOP_LISTS = Set.of("resources", "bases", "components", "crds", "configurations",
      "generators", "transformers", "validators", "patchesStrategicMerge", "buildMetadata");
  private static final Map<String, String> TYPES = Map.of("images", "Image", "imageTags", "Image", "labels", "Label",
      "replicas", "Replica", "patches", "Patch", "patchesJson6902", "Patch", "configMapGenerator", "ConfigMapArgs",
      "secretGenerator", "SecretArgs");
  private static final Set<String> ELEMENT_STRINGS = Set.of("name", "newName", "newTag", "digest", "tagSuffix", "path",
      "patch", "namespace", "behavior", "type", "env");
  private static final Set<String> ELEMENT_LISTS = Set.of("literals", "files", "envs");
  private static final Set<String> TARGET_STRINGS = Set.of("group", "version", "kind", "name", "namespace",
      "labelSelector", "annotationSelector");

  /**
   * Checks {@code text} (already parsed into {@code fields} with kyaml's typing) and puts the written text of plain
   * timestamps back into {@code fields}.
   *
   * @throws KustomizeException naming the file and the Go struct field, like kustomize's message
   */
  static void apply(String text, String display, Path file, Map<String, Object> fields) {
    if (!mayReadDifferently(fields)) {
      return; // no scalar YAML 1.1 reads otherwise: no second parse (a huge file costs one parse, not two)
    }
    Optional<Node> root;
    try {
      root = new Compose(LoadSettings.builder().setLabel(display).build()).composeString(text);
    } catch (RuntimeException e) {
      return; // the first parse has reported any syntax error already
    }
    if (root.isEmpty() || !(root.get() instanceof MappingNode top)) {
      return;
    }
    for (NodeTuple t : top.getValue()) {
      if (!(t.getKeyNode() instanceof ScalarNode k)) {
        continue;
      }
      String key = k.getValue();
      Node v = t.getValueNode();
      if (TOP_STRINGS.contains(key)) {
        Object fixed = string(v, "Kustomization." + key, display, file);
        if (fixed != null) {
          fields.put(key, fixed);
        }
      } else if (TOP_MAPS.contains(key)) {
        stringMap(v, "Kustomization." + key, display, file, asMap(fields.get(key)));
      } else if (TOP_LISTS.contains(key)) {
        stringList(v, "Kustomization." + key, display, file, fields.get(key));
      } else if (key.equals("generatorOptions") && v instanceof MappingNode m) {
        options(m, "GeneratorOptions", display, file, asMap(fields.get(key)));
      } else if (key.equals("replacements") && v instanceof SequenceNode seq) {
        replacements(seq, display, file, fields.get(key));
      } else if (key.equals("sortOptions") && v instanceof MappingNode m) {
        strings(m, Set.of("order"), "SortOptions.sortOptions", display, file, asMap(fields.get(key)));
      } else if (TYPES.containsKey(key) && v instanceof SequenceNode seq) {
        elements(seq, TYPES.get(key) + "." + key, display, file, fields.get(key));
      }
    }
  }

  /**
   * @return whether some key or value of the first parse could read differently under YAML 1.1: a non-string scalar
   *     (a number, boolean or timestamp, which a string field may hold as written text) or a string YAML 1.1 would
   *     resolve to a bool, number or timestamp when written plain
   */
  static boolean mayReadDifferently(Object parsed) {
    if (parsed == null) {
      return false;
    }
    if (parsed instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (mayReadDifferently(e.getKey()) || mayReadDifferently(e.getValue())) {
          return true;
        }
      }
      return false;
    }
    if (parsed instanceof List<?> list) {
      for (Object o : list) {
        if (mayReadDifferently(o)) {
          return true;
        }
      }
      return false;
    }
    if (parsed instanceof String s) {
      return BOOL.contains(s) || FLOAT.matcher(s).matches() || SPECIAL.matcher(s).matches() || INT.matcher(s).matches()
          || TIMESTAMP.matcher(s).matches() || s.indexOf('_') >= 0;
    }
    return true;
  }

  private static void elements(SequenceNode seq, String where, String display, Path file, Object parsed) {
    List<?> list = parsed instanceof List<?> l ? l : List.of();
    for (int i = 0; i < seq.getValue().size(); i++) {
      if (!(seq.getValue().get(i) instanceof MappingNode m)) {
        continue;
      }
      Map<String, Object> element = i < list.size() ? asMap(list.get(i)) : null;
      for (NodeTuple t : m.getValue()) {
        if (!(t.getKeyNode() instanceof ScalarNode k)) {
          continue;
        }
        String key = k.getValue();
        Node v = t.getValueNode();
        Object sub = element == null ? null : element.get(key);
        if (ELEMENT_STRINGS.contains(key)) {
          Object fixed = string(v, where + "." + key, display, file);
          if (fixed != null && element != null) {
            element.put(key, fixed);
          }
        } else if (ELEMENT_LISTS.contains(key)) {
          stringList(v, where + "." + key, display, file, sub);
        } else if (key.equals("pairs")) {
          stringMap(v, where + "." + key, display, file, asMap(sub));
        } else if (key.equals("options") && v instanceof MappingNode om) {
          options(om, where + ".options", display, file, asMap(sub));
        } else if (key.equals("target") && v instanceof MappingNode tm) {
          Map<String, Object> target = asMap(sub);
          for (NodeTuple tt : tm.getValue()) {
            if (tt.getKeyNode() instanceof ScalarNode tk && TARGET_STRINGS.contains(tk.getValue())) {
              Object fixed = string(tt.getValueNode(), where + ".target." + tk.getValue(), display, file);
              if (fixed != null && target != null) {
                target.put(tk.getValue(), fixed);
              }
            }
          }
        }
      }
    }
  }

  private static final Set<String> SELECTOR_STRINGS = Set.of("group", "version", "kind", "name", "namespace",
      "fieldPath", "labelSelector", "annotationSelector");

  /** replacements: source, targets[].select/reject (ResId/Selector strings), fieldPaths, options.delimiter. */
  private static void replacements(SequenceNode seq, String display, Path file, Object parsed) {
    List<?> list = parsed instanceof List<?> l ? l : List.of();
    for (int i = 0; i < seq.getValue().size(); i++) {
      if (!(seq.getValue().get(i) instanceof MappingNode m)) {
        continue;
      }
      Map<String, Object> element = i < list.size() ? asMap(list.get(i)) : null;
      String where = "Replacement.replacements";
      for (NodeTuple t : m.getValue()) {
        if (!(t.getKeyNode() instanceof ScalarNode k)) {
          continue;
        }
        Object sub = element == null ? null : element.get(k.getValue());
        if (k.getValue().equals("path")) {
          Object fixed = string(t.getValueNode(), where + ".path", display, file);
          if (fixed != null && element != null) {
            element.put("path", fixed);
          }
        } else if (k.getValue().equals("source") && t.getValueNode() instanceof MappingNode src) {
          strings(src, SELECTOR_STRINGS, where + ".source", display, file, asMap(sub));
        } else if (k.getValue().equals("targets") && t.getValueNode() instanceof SequenceNode targets) {
          List<?> parsedTargets = sub instanceof List<?> l ? l : List.of();
          for (int j = 0; j < targets.getValue().size(); j++) {
            if (!(targets.getValue().get(j) instanceof MappingNode target)) {
              continue;
            }
            Map<String, Object> pt = j < parsedTargets.size() ? asMap(parsedTargets.get(j)) : null;
            for (NodeTuple tt : target.getValue()) {
              if (!(tt.getKeyNode() instanceof ScalarNode tk)) {
                continue;
              }
              Object ts = pt == null ? null : pt.get(tk.getValue());
              String at = where + ".targets." + tk.getValue();
              if (tk.getValue().equals("select") && tt.getValueNode() instanceof MappingNode sel) {
                strings(sel, SELECTOR_STRINGS, "Selector." + at + ".ResId", display, file, asMap(ts));
              } else if (tk.getValue().equals("reject") && tt.getValueNode() instanceof SequenceNode rejects) {
                List<?> pr = ts instanceof List<?> l ? l : List.of();
                for (int r = 0; r < rejects.getValue().size(); r++) {
                  if (rejects.getValue().get(r) instanceof MappingNode rej) {
                    strings(rej, SELECTOR_STRINGS, "Selector." + at + ".ResId", display, file,
                        r < pr.size() ? asMap(pr.get(r)) : null);
                  }
                }
              } else if (tk.getValue().equals("fieldPaths")) {
                stringList(tt.getValueNode(), at, display, file, ts);
              } else if (tk.getValue().equals("options") && tt.getValueNode() instanceof MappingNode opts) {
                strings(opts, Set.of("delimiter"), at + ".delimiter", display, file, asMap(ts));
              }
            }
          }
        }
      }
    }
  }

  /** The string fields {@code names} of a mapping. */
  private static void strings(MappingNode m, Set<String> names, String where, String display, Path file,
      Map<String, Object> parsed) {
    for (NodeTuple t : m.getValue()) {
      if (t.getKeyNode() instanceof ScalarNode k && names.contains(k.getValue())) {
        Object fixed = string(t.getValueNode(), where + "." + k.getValue(), display, file);
        if (fixed != null && parsed != null) {
          parsed.put(k.getValue(), fixed);
        }
      }
    }
  }

  private static void options(MappingNode m, String where, String display, Path file, Map<String, Object> parsed) {
    for (NodeTuple t : m.getValue()) {
      if (t.getKeyNode() instanceof ScalarNode k && (k.getValue().equals("labels") || k.getValue().equals("annotations"))) {
        stringMap(t.getValueNode(), where + "." + k.getValue(), display, file,
            parsed == null ? null : asMap(parsed.get(k.getValue())));
      }
    }
  }

  private static void stringMap(Node v, String where, String display, Path file, Map<String, Object> parsed) {
    if (!(v instanceof MappingNode m)) {
      return;
    }
    for (NodeTuple t : m.getValue()) {
      Object fixed = string(t.getValueNode(), where, display, file);
      if (fixed != null && parsed != null && t.getKeyNode() instanceof ScalarNode k && parsed.containsKey(k.getValue())) {
        parsed.put(k.getValue(), fixed);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static void stringList(Node v, String where, String display, Path file, Object parsed) {
    if (!(v instanceof SequenceNode seq)) {
      return;
    }
    List<Object> list = parsed instanceof List<?> l ? (List<Object>) l : null;
    for (int i = 0; i < seq.getValue().size(); i++) {
      Object fixed = string(seq.getValue().get(i), where, display, file);
      if (fixed != null && list != null && i < list.size()) {
        list.set(i, fixed);
      }
    }
  }

  /** Null when the value is fine as parsed; the written text for a plain timestamp; throws for a bool or number. */
  private static Object string(Node v, String where, String display, Path file) {
    if (!(v instanceof ScalarNode s) || s.getScalarStyle() != ScalarStyle.PLAIN) {
      return null;
    }
    String text = s.getValue();
    String kind = resolve(text);
    if (kind == null) {
      return null;
    }
    if (kind.equals("timestamp")) {
      return text;
    }
    int line = s.getStartMark().map(mark -> mark.getLine() + 1).orElse(-1);
    throw new KustomizeException(display + ": invalid Kustomization: json: cannot unmarshal " + kind
        + " into Go struct field " + where + " of type string (YAML 1.1 reads '" + text + "' as a " + kind
        + "; quote it)", file, line, null);
  }

  /** go-yaml v2's resolution of a plain scalar: "bool", "number", "timestamp", or null for a string or null. */
  static String resolve(String text) {
    if (BOOL.contains(text)) {
      return "bool";
    }
    if (text.isEmpty()) {
      return null;
    }
    char c = text.charAt(0);
    if (!(c >= '0' && c <= '9') && c != '-' && c != '+' && c != '.') {
      return null;
    }
    String plain = text.replace("_", "");
    if (INT.matcher(plain).matches() || FLOAT.matcher(plain).matches() || SPECIAL.matcher(text).matches()) {
      return "number";
    }
    if (TIMESTAMP.matcher(text).matches()) {
      return "timestamp";
    }
    return null;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
  }
}

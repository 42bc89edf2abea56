package io.conflux.helm;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The values a {@code HelmRelease} gives its chart, merged the way Flux's helm-controller does
 * ({@code chartutil.ChartValuesFromReferences}):
 *
 * <ol>
 *   <li>each {@code spec.valuesFrom} entry, in order: a whole values document is deep-merged onto what came
 *       before; an entry with a {@code targetPath} sets that single value at the path instead, parsed by
 *       Helm's {@code --set} rules (so {@code a.b[0].c}, {@code \.} to escape a dot, and an unquoted value
 *       typed as bool/null/int64; a value wrapped in single or double quotes is always a string);</li>
 *   <li>then {@code spec.values} deep-merged on top.</li>
 * </ol>
 *
 * <p>The deep merge is Flux's {@code transform.MergeMaps}: maps merge key by key, recursively; anything
 * else (scalars, lists, null) from the later source replaces the earlier value. A null left in the
 * result removes the key from the chart's defaults when Helm coalesces the values.
 *
 * <p>Resolving {@code valuesFrom} references (reading ConfigMaps and Secrets, {@code valuesKey} defaulting
 * to {@code values.yaml}, skipping {@code optional} ones that are missing) is the caller's job: it hands
 * the data over as {@link ValuesReference}s.
 */
public final class HelmValues {

  private HelmValues() {
  }

  /**
   * One resolved {@code valuesFrom} entry.
   *
   * @param valuesOrNull the values document as a map, or null to parse it from {@code rawValue}
   *     (ignored when {@code targetPath} is set)
   * @param targetPath the entry's {@code targetPath} (Helm {@code --set} key syntax), or null/blank to merge
   *     a whole document at the root
   * @param rawValue the referenced ConfigMap/Secret value as text: a YAML document when there is no
   *     {@code targetPath} and {@code valuesOrNull} is null, the single value otherwise
   */
  public record ValuesReference(Map<String, Object> valuesOrNull, String targetPath, String rawValue) {

    /**
     * @param yaml a values document (YAML or JSON); empty means no values
     * @return a reference merging that document at the root
     */
    public static ValuesReference document(String yaml) {
      return new ValuesReference(null, null, Objects.requireNonNull(yaml, "yaml"));
    }

    /**
     * @param values already parsed values
     * @return a reference merging those values at the root
     */
    public static ValuesReference values(Map<String, Object> values) {
      return new ValuesReference(Objects.requireNonNull(values, "values"), null, null);
    }

    /**
     * @param targetPath where to set the value, in Helm's {@code --set} key syntax
     * @param rawValue the value as text (the ConfigMap/Secret data)
     * @return a reference setting one value
     */
    public static ValuesReference atPath(String targetPath, String rawValue) {
      return new ValuesReference(null, Objects.requireNonNull(targetPath, "targetPath"),
          Objects.requireNonNull(rawValue, "rawValue"));
    }

    boolean hasTargetPath() {
      return targetPath != null && !targetPath.isBlank();
    }
  }

  /** The default {@code valuesKey} of a {@code valuesFrom} entry. */
  public static final String DEFAULT_VALUES_KEY = "values.yaml";

  /**
   * Turns one {@code spec.valuesFrom} entry and the data of the object it names into a
   * {@link ValuesReference}, with Flux's rules: {@code kind} is {@code ConfigMap} or {@code Secret};
   * {@code valuesKey} defaults to {@code values.yaml}; a missing object or key is skipped when
   * {@code optional}, an error otherwise.
   *
   * @param kind {@code ConfigMap} or {@code Secret}
   * @param namespace the namespace of the object (the HelmRelease's), for messages
   * @param name the object's name
   * @param data the object's {@code data} as text (a Secret's values base64-decoded), or null when the object
   *     does not exist
   * @param valuesKey the entry's {@code valuesKey}, or null/empty for {@code values.yaml}
   * @param targetPath the entry's {@code targetPath}, or null/empty
   * @param optional the entry's {@code optional}
   * @return the reference, or empty when an optional object or key is missing
   * @throws HelmException naming kind, namespace/name and key when a required object or key is missing or the
   *     kind is unsupported
   */
  public static Optional<ValuesReference> reference(String kind, String namespace, String name,
      Map<String, String> data, String valuesKey, String targetPath, boolean optional) {
    if (!"ConfigMap".equals(kind) && !"Secret".equals(kind)) {
      throw new HelmException("unsupported valuesFrom kind '" + kind + "' for " + namespace + "/" + name
          + ": expected ConfigMap or Secret");
    }
    String key = valuesKey == null || valuesKey.isEmpty() ? DEFAULT_VALUES_KEY : valuesKey;
    if (data == null) {
      if (optional) {
        return Optional.empty();
      }
      throw new HelmException("could not find " + kind + " '" + namespace + "/" + name + "' for valuesFrom");
    }
    String value = data.get(key);
    if (value == null) {
      if (optional) {
        return Optional.empty();
      }
      throw new HelmException("missing key '" + key + "' in " + kind + " '" + namespace + "/" + name
          + "' for valuesFrom");
    }
    if (targetPath != null && !targetPath.isBlank()) {
      return Optional.of(ValuesReference.atPath(targetPath, value));
    }
    return Optional.of(ValuesReference.values(parse(value, kind + " '" + namespace + "/" + name + "' key '"
        + key + "'")));
  }

  /**
   * Merges {@code valuesFrom} then {@code values} as Flux does. Inputs are not modified.
   *
   * @param from the resolved {@code valuesFrom} entries, in the HelmRelease's order (may be empty, not null)
   * @param inline {@code spec.values}, or null
   * @return a new, mutable, JSON-compatible map
   * @throws HelmException when a document is not a YAML map or a target path does not parse
   */
  public static Map<String, Object> merge(List<ValuesReference> from, Map<String, Object> inline) {
    Map<String, Object> result = new LinkedHashMap<>();
    int index = 0;
    for (ValuesReference ref : from) {
      if (ref.hasTargetPath()) {
        if (ref.rawValue() == null) {
          throw new HelmException("valuesFrom[" + index + "] with targetPath '" + ref.targetPath()
              + "' has no value");
        }
        try {
          setPath(result, ref.targetPath(), ref.rawValue());
        } catch (HelmException e) {
          throw new HelmException("valuesFrom[" + index + "]: " + e.getMessage(), e);
        }
      } else {
        Map<String, Object> values = ref.valuesOrNull() != null
            ? Yaml.deepCopy(ref.valuesOrNull())
            : parse(ref.rawValue() == null ? "" : ref.rawValue(), "valuesFrom[" + index + "]");
        result = mergeMaps(result, values);
      }
      index++;
    }
    return inline == null ? result : mergeMaps(result, Yaml.deepCopy(inline));
  }

  /**
   * Flux's {@code transform.MergeMaps}: a new map with {@code b} deep-merged onto {@code a}.
   *
   * @param a the base values (not modified)
   * @param b the overriding values (not modified; nested maps of the result may be shared with it)
   * @return the merged map
   */
  public static Map<String, Object> mergeMaps(Map<String, Object> a, Map<String, Object> b) {
    Map<String, Object> out = new LinkedHashMap<>(a);
    for (Map.Entry<String, Object> e : b.entrySet()) {
      Object bv = e.getValue();
      Object av = out.get(e.getKey());
      if (bv instanceof Map<?, ?> bm && av instanceof Map<?, ?> am) {
        out.put(e.getKey(), mergeMaps(asMap(am), asMap(bm)));
      } else {
        out.put(e.getKey(), bv);
      }
    }
    return out;
  }

  /**
   * Flux's {@code ReplacePathValue}: sets {@code value} at {@code path} in {@code values} (mutating it) with
   * Helm's {@code --set} parser. A value wrapped in single or double quotes has them trimmed and is kept
   * as a string ({@code --set-string}); otherwise it is typed like {@code --set}. As with {@code --set},
   * an unescaped comma in the value starts another assignment.
   *
   * @param values the values to modify
   * @param path the target path, e.g. {@code ingress.hosts[0].host} or {@code podAnnotations.a\.b/c}
   * @param value the raw value
   * @throws HelmException naming the path when it or the value does not parse; the message never holds the value
   */
  public static void setPath(Map<String, Object> values, String path, String value) {
    boolean singleQuoted = value.startsWith("'") && value.endsWith("'");
    boolean doubleQuoted = value.startsWith("\"") && value.endsWith("\"");
    boolean forceString = singleQuoted || doubleQuoted;
    String v = forceString ? trimQuotes(value) : value;
    try {
      Strvals.parseInto(path + "=x", new LinkedHashMap<>(), true);
    } catch (IllegalArgumentException e) {
      throw new HelmException("failed to set value at path '" + path + "': " + e.getMessage(), e);
    }
    try {
      Strvals.parseInto(path + "=" + v, values, forceString);
    } catch (IllegalArgumentException e) {
      // The path parsed alone, so the value is at fault; --set's messages quote it (an unescaped comma makes its
      // rest a key "with no value"), and it often comes from a Secret: not shown.
      throw new HelmException("failed to set value at path '" + path + "': the value does not parse as a --set "
          + "value (e.g. an unescaped comma or brace); the value is not shown");
    }
  }

  /** Go's {@code strings.Trim(value, "'\"")}. */
  private static String trimQuotes(String value) {
    int start = 0;
    int end = value.length();
    while (start < end && (value.charAt(start) == '\'' || value.charAt(start) == '"')) {
      start++;
    }
    while (end > start && (value.charAt(end - 1) == '\'' || value.charAt(end - 1) == '"')) {
      end--;
    }
    return value.substring(start, end);
  }

  /**
   * Parses a values document like Helm's {@code chartutil.ReadValues}: empty text or an empty document is
   * an empty map; anything but a map is an error.
   *
   * @param yaml the document (YAML or JSON)
   * @param source what to name in an error, e.g. {@code ConfigMap podinfo/values key values.yaml}
   * @return a new mutable map
   * @throws HelmException naming {@code source} when the text is not a YAML map
   */
  public static Map<String, Object> parse(String yaml, String source) {
    Object doc;
    try {
      doc = Yaml.load(yaml);
    } catch (RuntimeException e) {
      // Without the cause: snakeyaml's message quotes the lines around the problem, and values come from Secrets.
      throw new HelmException("failed to parse values of " + source + ": " + YamlErrors.describe(e));
    }
    if (doc == null) {
      return new LinkedHashMap<>();
    }
    if (!(doc instanceof Map<?, ?> map)) {
      throw new HelmException("values of " + source + " are not a YAML map but "
          + doc.getClass().getSimpleName());
    }
    return asMap(map);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }
}

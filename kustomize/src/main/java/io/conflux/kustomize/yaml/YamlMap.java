package io.conflux.kustomize.yaml;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A parsed YAML mapping (insertion-ordered, string keys) that remembers which of its null values were written with no
 * value at all ({@code x:}) rather than as an explicit {@code null}, {@code Null}, {@code NULL} or {@code ~}. Both read
 * as Java {@code null}; go-yaml v3 tells them apart by the null node's text (empty or not), and kyaml's strategic merge
 * acts on it: a target field whose value is an empty null is cleared, an explicit one is kept as {@code null}
 * (kyaml v0.20.1 yaml/merge2/merge2.go {@code VisitMap}: {@code len(Dest().YNode().Value) > 0} and
 * {@code MakePersistentNullNode}).
 *
 * <p>The mark belongs to a key only while its value is {@code null}: once the key holds a value, or is removed, it
 * is no longer an empty null. Copies made with {@code JsonTrees.deepCopy} keep the marks; maps built any other way
 * have none (their nulls count as explicit).
 */
public final class YamlMap extends LinkedHashMap<String, Object> {
  private final HashSet<String> emptyNulls = new HashSet<>();

  /** An empty mapping. */
  public YamlMap() {
    super();
  }

  /** Puts {@code key} with a {@code null} value written with no value ({@code key:}). */
  public void putEmptyNull(String key) {
    super.put(key, null);
    emptyNulls.add(key);
  }

  /**
   * True when {@code key} is present with a {@code null} value that was written with no value ({@code key:}); false
   * for an explicit {@code null}/{@code ~}, a non-null value or a missing key.
   */
  public boolean isEmptyNull(String key) {
    return emptyNulls.contains(key) && containsKey(key) && get(key) == null;
  }

  /**
   * True when {@code map} is a {@link YamlMap} holding {@code key} as an empty null ({@code key:}); false for any
   * other map.
   */
  public static boolean isEmptyNull(Map<?, ?> map, String key) {
    return map instanceof YamlMap y && y.isEmptyNull(key);
  }

  /**
   * Puts {@code key} into {@code target} with the value {@code value}, an empty null when {@code source} holds
   * {@code key} as one (for copies; {@code target} keeps the mark only when it is a {@link YamlMap}).
   */
  public static void putLike(Map<String, Object> target, Map<?, ?> source, String key, Object value) {
    if (value == null && target instanceof YamlMap t && isEmptyNull(source, key)) {
      t.putEmptyNull(key);
    } else {
      target.put(key, value);
    }
  }

  /** As {@link LinkedHashMap#put}; the key is no longer an empty null (a {@code null} put here is explicit). */
  @Override
  public Object put(String key, Object value) {
    emptyNulls.remove(key);
    return super.put(key, value);
  }

  /** As {@link LinkedHashMap#remove(Object)}, dropping the key's mark. */
  @Override
  public Object remove(Object key) {
    emptyNulls.remove(key);
    return super.remove(key);
  }
}

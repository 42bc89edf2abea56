package io.conflux.kustomize.internal.patch;

/**
 * How a strategic merge patch combines a list with the one it patches: replace it, merge its
 * elements by a key field, or union its scalar elements.
 */
public record ListStrategy(Kind kind, String key) {
  /** The kinds of list merging. */
  public enum Kind { REPLACE, MERGE_BY_KEY, MERGE_PRIMITIVES }

  /** The list is replaced by the patch's. */
  public static final ListStrategy REPLACE = new ListStrategy(Kind.REPLACE, null);
  /** Scalar elements are unioned, the patch's first. */
  public static final ListStrategy PRIMITIVES = new ListStrategy(Kind.MERGE_PRIMITIVES, null);

  /** Elements merge by the value of {@code key}. */
  public static ListStrategy byKey(String key) {
    return new ListStrategy(Kind.MERGE_BY_KEY, key);
  }
}

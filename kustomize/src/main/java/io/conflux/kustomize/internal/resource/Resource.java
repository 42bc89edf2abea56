package io.conflux.kustomize.internal.resource;

import io.conflux.kustomize.internal.JsonTrees;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One Kubernetes object plus what kustomize remembers about it while building (follows
 * api/resource/resource.go): its previous ids (before renames, for name references), whether a
 * generator asked for a content hash suffix, the generator behavior, where it came from.
 */
public final class Resource {
  private Map<String, Object> object;
  private final List<ResId> previousIds = new ArrayList<>();
  private boolean needsHashSuffix;
  private String behavior = "create";
  private String origin;
  private final List<String> refVarNames = new ArrayList<>();
  private final List<String> namePrefixes = new ArrayList<>();
  private final List<String> nameSuffixes = new ArrayList<>();
  private final List<String> transformations = new ArrayList<>();
  /** {@link #gvk()}'s memo: the strings it last parsed and the result. */
  private String lastApiVersion;
  private String lastKind;
  private Gvk lastGvk;

  /** Wraps a mutable object tree. */
  public Resource(Map<String, Object> object) {
    this.object = object;
  }

  /** The object, mutable. */
  public Map<String, Object> object() {
    return object;
  }

  /** Replaces the object (e.g. after a JSON patch). */
  public void setObject(Map<String, Object> object) {
    this.object = object;
  }

  /** A deep copy, with kustomize-specific state copied too. */
  public Resource deepCopy() {
    Resource r = new Resource(JsonTrees.copyMap(object));
    r.copyKustomizeFieldsFrom(this);
    return r;
  }

  /** Copies needs-hash, previous ids and origin from {@code other}. */
  public void copyKustomizeFieldsFrom(Resource other) {
    previousIds.clear();
    previousIds.addAll(other.previousIds);
    needsHashSuffix = other.needsHashSuffix;
    behavior = other.behavior;
    origin = other.origin;
    refVarNames.clear();
    refVarNames.addAll(other.refVarNames);
    namePrefixes.clear();
    namePrefixes.addAll(other.namePrefixes);
    nameSuffixes.clear();
    nameSuffixes.addAll(other.nameSuffixes);
    transformations.clear();
    transformations.addAll(other.transformations);
  }

  /**
   * The current group, version and kind. The last one parsed is kept with the two strings it was parsed from and
   * reused while the object holds those very strings (compared by identity: a changed field is a new string).
   */
  public Gvk gvk() {
    String apiVersion = JsonTrees.string(object, "apiVersion");
    String kind = JsonTrees.string(object, "kind");
    Gvk cached = lastGvk;
    if (cached == null || apiVersion != lastApiVersion || kind != lastKind) {
      cached = Gvk.of(apiVersion, kind);
      lastGvk = cached;
      lastApiVersion = apiVersion;
      lastKind = kind;
    }
    return cached;
  }

  /** The kind, empty when unset. */
  public String kind() {
    String k = JsonTrees.string(object, "kind");
    return k == null ? "" : k;
  }

  /** metadata.name, empty when unset. */
  public String name() {
    String n = JsonTrees.string(JsonTrees.map(object, "metadata"), "name");
    return n == null ? "" : n;
  }

  /** metadata.namespace, empty when unset. */
  public String namespace() {
    String n = JsonTrees.string(JsonTrees.map(object, "metadata"), "namespace");
    return n == null ? "" : n;
  }

  /** Sets metadata.name. */
  public void setName(String name) {
    JsonTrees.mapOrCreate(object, "metadata").put("name", name);
  }

  /** Sets the namespace; an empty one removes the field. */
  public void setNamespace(String namespace) {
    Map<String, Object> meta = JsonTrees.mapOrCreate(object, "metadata");
    if (namespace == null || namespace.isEmpty()) {
      meta.remove("namespace");
    } else {
      meta.put("namespace", namespace);
    }
  }

  /** Sets kind. */
  public void setKind(String kind) {
    object.put("kind", kind);
  }

  /** Sets apiVersion. */
  public void setApiVersion(String apiVersion) {
    object.put("apiVersion", apiVersion);
  }

  /** The current id. */
  public ResId curId() {
    return new ResId(gvk(), name(), namespace());
  }

  /** The id the object had when first loaded or generated. */
  public ResId orgId() {
    return previousIds.isEmpty() ? curId() : previousIds.get(0);
  }

  /** Ids the object had before renames, oldest first (Resource.PrevIds). */
  public List<ResId> previousIds() {
    return previousIds;
  }

  /** Remembers the current id as a previous one (Resource.StorePreviousId). */
  public void storePreviousId() {
    previousIds.add(curId());
  }

  /** All ids: previous ones and the current one. */
  public List<ResId> allIds() {
    List<ResId> ids = new ArrayList<>(previousIds);
    ids.add(curId());
    return ids;
  }

  /** metadata.labels as strings (a copy). */
  public Map<String, String> labels() {
    return JsonTrees.stringMap(JsonTrees.get(object, "metadata", "labels"));
  }

  /** metadata.annotations as strings (a copy). */
  public Map<String, String> annotations() {
    return JsonTrees.stringMap(JsonTrees.get(object, "metadata", "annotations"));
  }

  /** Sets metadata.labels; an empty map removes the field. */
  public void setLabels(Map<String, String> labels) {
    setStringMap("labels", labels);
  }

  /** Sets metadata.annotations; an empty map removes the field. */
  public void setAnnotations(Map<String, String> annotations) {
    setStringMap("annotations", annotations);
  }

  private void setStringMap(String field, Map<String, String> values) {
    Map<String, Object> meta = JsonTrees.mapOrCreate(object, "metadata");
    if (values.isEmpty()) {
      meta.remove(field);
    } else {
      meta.put(field, new LinkedHashMap<String, Object>(values));
    }
  }

  /** True when a generator asked for the content hash suffix. */
  public boolean needsHashSuffix() {
    return needsHashSuffix;
  }

  /** Sets whether the content hash suffix is added at the end of the build. */
  public void setNeedsHashSuffix(boolean needsHashSuffix) {
    this.needsHashSuffix = needsHashSuffix;
  }

  /** Generator behavior: create, merge or replace. */
  public String behavior() {
    return behavior;
  }

  /** Sets the generator behavior; null or empty means create. */
  public void setBehavior(String behavior) {
    this.behavior = behavior == null || behavior.isEmpty() ? "create" : behavior;
  }

  /** The value of the config.kubernetes.io/origin annotation kustomize would write; may be null. */
  public String origin() {
    return origin;
  }

  /** Sets the origin annotation value. */
  public void setOrigin(String origin) {
    this.origin = origin;
  }

  /** Names of vars whose references were found in this object. */
  public List<String> refVarNames() {
    return refVarNames;
  }

  /** Entries of the alpha.config.kubernetes.io/transformations annotation: transformers that ran. */
  public List<String> transformations() {
    return transformations;
  }

  /** Name prefixes applied so far, outermost last (Resource.AddNamePrefix). */
  public List<String> namePrefixes() {
    return namePrefixes;
  }

  /** Name suffixes applied so far, outermost last (Resource.AddNameSuffix). */
  public List<String> nameSuffixes() {
    return nameSuffixes;
  }

  /**
   * True when both the prefix and the suffix lists end the same way (follows api/resource Resource.PrefixesSuffixesEquals);
   * with {@code allowEmpty}, an empty prefix (suffix) list on either side matches any prefixes (suffixes).
   */
  public boolean prefixesSuffixesEquals(Resource o, boolean allowEmpty) {
    boolean prefixes = allowEmpty && (namePrefixes.isEmpty() || o.namePrefixes.isEmpty())
        || sameEndingSubSlice(namePrefixes, o.namePrefixes);
    boolean suffixes = allowEmpty && (nameSuffixes.isEmpty() || o.nameSuffixes.isEmpty())
        || sameEndingSubSlice(nameSuffixes, o.nameSuffixes);
    return prefixes && suffixes;
  }

  private static boolean sameEndingSubSlice(List<String> a, List<String> b) {
    List<String> shortest = a.size() <= b.size() ? a : b;
    List<String> longest = a.size() <= b.size() ? b : a;
    int diff = longest.size() - shortest.size();
    if (shortest.isEmpty()) {
      return diff == 0;
    }
    for (int i = shortest.size() - 1; i >= 0; i--) {
      if (!longest.get(i + diff).equals(shortest.get(i))) {
        return false;
      }
    }
    return true;
  }

  /** True when the object has no fields left (deleted by a patch). */
  public boolean isEmpty() {
    return object == null || object.isEmpty();
  }

  @Override
  public String toString() {
    return curId().toString();
  }
}

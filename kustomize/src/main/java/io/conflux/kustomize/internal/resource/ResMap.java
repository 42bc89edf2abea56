package io.conflux.kustomize.internal.resource;

import io.conflux.kustomize.KustomizeException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The ordered set of resources of a build (follows api/resmap/reswrangler.go): no two resources
 * may share a current id.
 */
public final class ResMap {
  private final List<Resource> resources = new ArrayList<>();

  /** The resources in order; a live, unmodifiable view. */
  public List<Resource> resources() {
    return Collections.unmodifiableList(resources);
  }

  /** The number of resources. */
  public int size() {
    return resources.size();
  }

  /**
   * Adds a resource at the end.
   *
   * @throws KustomizeException when a resource with the same current id is present
   */
  public void append(Resource r) {
    appendAll(List.of(r));
  }

  /** Appends all resources of {@code other}, in order, as {@link #appendAll(List)} does. */
  public void appendAll(ResMap other) {
    appendAll(other.resources);
  }

  /**
   * Appends resources in order, each refused when a resource already present (or appended before it) has the same
   * current id ({@link ResId#matches}: gvk, name, effective namespace) — resWrangler.Append per resource. The
   * current ids present are read once per call, so appending n resources to m costs O(n + m), not O(n × m).
   *
   * @throws KustomizeException at the first duplicate; the resources before it stay appended
   */
  public void appendAll(List<Resource> list) {
    Appender appender = appender();
    for (Resource r : list) {
      appender.append(r);
    }
  }

  /**
   * An appender for many appends in a row: the current ids present are read once, when it is made, so it must not
   * be used after any resource of this map was renamed, moved or retyped (use a new one).
   */
  public Appender appender() {
    Set<IdKey> present = new HashSet<>();
    for (Resource o : resources) {
      present.add(IdKey.of(o.curId()));
    }
    return new Appender(present);
  }

  /** Appends to this map checking ids against a set kept up to date by its own appends; see {@link #appender()}. */
  public final class Appender {
    private final Set<IdKey> present;

    private Appender(Set<IdKey> present) {
      this.present = present;
    }

    /**
     * Adds a resource at the end (resWrangler.Append).
     *
     * @throws KustomizeException when a resource with the same current id is present
     */
    public void append(Resource r) {
      ResId id = r.curId();
      if (!present.add(IdKey.of(id))) {
        throw new KustomizeException("may not add resource with an already registered id: " + id.kyamlString());
      }
      resources.add(r);
    }

    /** Appends every resource of {@code other} in order, each as {@link #append}. */
    public void appendAll(ResMap other) {
      for (Resource r : other.resources) {
        append(r);
      }
    }
  }

  /** What {@link ResId#matches} compares, as a hash key: equal keys exactly when the ids match. */
  private record IdKey(Gvk gvk, String name, String effectiveNamespace) {
    static IdKey of(ResId id) {
      return new IdKey(id.gvk(), id.name(), id.effectiveNamespace());
    }
  }

  /**
   * Adds generated resources honouring their behavior (resWrangler.appendReplaceOrMerge): create
   * appends, merge merges data, labels and annotations into the existing one, replace replaces it.
   */
  public void absorbAll(ResMap other) {
    for (Resource r : other.resources) {
      absorb(r);
    }
  }

  private void absorb(Resource res) {
    ResId id = res.curId();
    List<Resource> matches = matchingAnyId(id::matches);
    switch (matches.size()) {
      case 0 -> {
        // any behavior but merge and replace (create, or one kustomize does not know, e.g. "add") appends
        if (res.behavior().equals("merge") || res.behavior().equals("replace")) {
          throw new KustomizeException("id " + id + " does not exist; cannot merge or replace");
        }
        append(res);
      }
      case 1 -> {
        Resource old = matches.get(0);
        switch (res.behavior()) {
          case "replace" -> GeneratorMerge.copyMergeMetaData(res, old);
          case "merge" -> {
            GeneratorMerge.copyMergeMetaData(res, old);
            GeneratorMerge.mergeData(res, old);
          }
          default -> throw new KustomizeException("id " + id + " exists; behavior must be merge or replace");
        }
        resources.set(resources.indexOf(old), res);
      }
      default -> throw new KustomizeException("found multiple objects " + matches + " that could accept merge of " + id);
    }
  }

  /** Resources any of whose ids (previous or current) satisfy {@code p}. */
  public List<Resource> matchingAnyId(Predicate<ResId> p) {
    List<Resource> out = new ArrayList<>();
    for (Resource r : resources) {
      boolean any = p.test(r.curId());
      for (int i = 0; !any && i < r.previousIds().size(); i++) {
        any = p.test(r.previousIds().get(i));
      }
      if (any) {
        out.add(r);
      }
    }
    return out;
  }

  /** Resources whose current id satisfies {@code p}. */
  public List<Resource> matchingCurrentId(Predicate<ResId> p) {
    List<Resource> out = new ArrayList<>();
    for (Resource r : resources) {
      if (p.test(r.curId())) {
        out.add(r);
      }
    }
    return out;
  }

  /**
   * The one resource any of whose ids matches {@code id} (resWrangler.GetById).
   *
   * @throws KustomizeException when none or several match
   */
  public Resource getById(ResId id) {
    List<Resource> m = matchingAnyId(id::matches);
    if (m.size() == 1) {
      return m.get(0);
    }
    if (m.isEmpty()) {
      throw new KustomizeException("no matches for Id " + id + "; failed to find unique target for patch " + id);
    }
    throw new KustomizeException("multiple matches for Id " + id + "; failed to find unique target for patch " + id);
  }

  /** Resources selected by {@code s}, in order. */
  public List<Resource> select(Selector s) {
    List<Resource> out = new ArrayList<>();
    Predicate<Resource> selects = s.matcher();
    for (Resource r : resources) {
      if (selects.test(r)) {
        out.add(r);
      }
    }
    return out;
  }

  /** Removes one resource (by identity). */
  public void remove(Resource r) {
    for (int i = 0; i < resources.size(); i++) {
      if (resources.get(i) == r) {
        resources.remove(i);
        return;
      }
    }
  }

  /** Removes resources left empty (deleted by patches). */
  public void removeEmpty() {
    resources.removeIf(Resource::isEmpty);
  }

  /** Replaces the whole content, keeping the given order. */
  public void setAll(List<Resource> list) {
    resources.clear();
    resources.addAll(list);
  }

  /** A deep copy of this map. */
  public ResMap deepCopy() {
    ResMap m = new ResMap();
    for (Resource r : resources) {
      m.resources.add(r.deepCopy());
    }
    return m;
  }
}

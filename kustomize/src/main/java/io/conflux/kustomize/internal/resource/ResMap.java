package io.conflux.kustomize.internal.resource;

import io.conflux.kustomize.KustomizeException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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
    ResId id = r.curId();
    for (Resource o : resources) {
      if (o.curId().matches(id)) {
        throw new KustomizeException("may not add resource with an already registered id: " + id);
      }
    }
    resources.add(r);
  }

  /** Appends all resources of {@code other}, each with {@link #append}. */
  public void appendAll(ResMap other) {
    for (Resource r : other.resources) {
      append(r);
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
        if (!res.behavior().equals("create")) {
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
      for (ResId id : r.allIds()) {
        if (p.test(id)) {
          out.add(r);
          break;
        }
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
    for (Resource r : resources) {
      if (s.selects(r)) {
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

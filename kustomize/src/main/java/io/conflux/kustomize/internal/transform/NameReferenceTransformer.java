package io.conflux.kustomize.internal.transform;

import io.conflux.kustomize.BuildCancelledException;
import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.internal.JsonTrees;
import io.conflux.kustomize.internal.fieldspec.FieldSpec;
import io.conflux.kustomize.internal.fieldspec.FieldWalker;
import io.conflux.kustomize.internal.fieldspec.NameBackRef;
import io.conflux.kustomize.internal.resource.Gvk;
import io.conflux.kustomize.internal.resource.ResId;
import io.conflux.kustomize.internal.resource.ResMap;
import io.conflux.kustomize.internal.resource.Resource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Fixes references to renamed objects (follows api/internal/accumulator/namereferencetransformer.go
 * and api/filters/nameref): for each referrer field of the nameReference configuration, the
 * referral is the object of the referral kind whose previous name is the field's value, visible
 * from the referrer (same namespace, cluster-scoped, or a RoleBinding subject's namespace); the
 * field then takes the referral's current name (and, for {name, namespace} maps, namespace).
 */
public record NameReferenceTransformer(List<NameBackRef> backRefs) implements Transformer {

  /**
   * Fixes the references of every resource of {@code m}. The referrals are looked up by previous name in an index
   * built once per call (previous ids do not change while references are fixed), so the pass costs about
   * O(referrer fields + resources) instead of a scan of every resource per referrer and per field.
   */
  @Override
  public void transform(ResMap m) {
    Map<String, List<Resource>> byPreviousName = indexByPreviousName(m.resources());
    for (Resource referrer : m.resources()) {
      BuildCancelledException.checkpoint("name references");
      Predicate<Resource> visible = couldBeReferencedBy(referrer);
      Gvk orgGvk = referrer.orgId().gvk();
      for (NameBackRef backRef : backRefs) {
        for (FieldSpec fs : backRef.referrers()) {
          if (!orgGvk.isSelected(fs.gvk())) {
            continue;
          }
          Referral ref = new Referral(referrer, backRef.gvk(), fs, byPreviousName, visible);
          FieldSpec anyGvk = new FieldSpec(new Gvk("", "", ""), fs.path(), false);
          FieldWalker.walk(referrer.object(), referrer.gvk(), anyGvk, FieldWalker.CreateKind.NONE, ref::set);
        }
      }
    }
  }

  /**
   * Resources by each distinct name among their previous ids, every list in the resources' order (a referral is
   * only ever found through a previous name, as nameref.selectReferral's first sieve).
   */
  private static Map<String, List<Resource>> indexByPreviousName(List<Resource> resources) {
    Map<String, List<Resource>> index = new HashMap<>();
    for (Resource r : resources) {
      Set<String> names = new HashSet<>();
      for (ResId id : r.previousIds()) {
        if (names.add(id.name())) {
          index.computeIfAbsent(id.name(), k -> new ArrayList<>()).add(r);
        }
      }
    }
    return index;
  }

  /**
   * Which resources {@code referrer} could refer to, as a test on a candidate (resWrangler
   * SubsetThatCouldBeReferencedByResource): all for a cluster-scoped referrer, else the cluster-scoped ones, those of
   * the referrer's namespace and, for a RoleBinding, those in its ServiceAccount subjects' namespaces.
   *
   * @throws KustomizeException when a RoleBinding's ServiceAccount subject has a non-string namespace
   */
  static Predicate<Resource> couldBeReferencedBy(Resource referrer) {
    ResId referrerId = referrer.curId();
    if (referrerId.isClusterScoped()) {
      return r -> true;
    }
    Set<String> roleBindingNamespaces = new HashSet<>();
    if (referrer.kind().equals("RoleBinding")) {
      List<Object> subjects = JsonTrees.list(referrer.object(), "subjects");
      if (subjects != null) {
        for (Object s : subjects) {
          if (s instanceof Map<?, ?> sm && sm.containsKey("namespace") && !(sm.get("namespace") instanceof String)
              && "ServiceAccount".equals(JsonTrees.string(s, "kind"))) {
            // as reswrangler.getNamespacesForRoleBinding
            throw new KustomizeException("Invalid Input: namespace is blank for resource \"" + referrerId + "\"");
          }
          String ns = JsonTrees.string(s, "namespace");
          if (ns != null && "ServiceAccount".equals(JsonTrees.string(s, "kind"))) {
            roleBindingNamespaces.add(ns);
          }
        }
      }
    }
    return r -> {
      ResId id = r.curId();
      return id.isClusterScoped() || id.isNsEquals(referrerId) || roleBindingNamespaces.contains(r.namespace());
    };
  }

  /** One referrer field being fixed. */
  private record Referral(Resource referrer, Gvk target, FieldSpec fs, Map<String, List<Resource>> byPreviousName,
      Predicate<Resource> visible) {

    void set(FieldWalker.Slot slot) {
      Object v = slot.get();
      if (v instanceof String s) {
        Resource r = select(s, visible, false);
        if (r != null && !r.name().equals(s)) {
          slot.set(r.name());
        }
      } else if (v instanceof Map<?, ?> map) {
        setMapping(map);
      } else if (v instanceof List<?> list) {
        @SuppressWarnings("unchecked")
        List<Object> l = (List<Object>) list;
        for (int i = 0; i < l.size(); i++) {
          Object e = l.get(i);
          if (e instanceof String s) {
            Resource r = select(s, visible, false);
            if (r != null && !r.name().equals(s)) {
              l.set(i, r.name());
            }
          } else if (e instanceof Map<?, ?> em) {
            setMapping(em);
          }
        }
      }
    }

    @SuppressWarnings("unchecked")
    private void setMapping(Map<?, ?> raw) {
      Map<String, Object> map = (Map<String, Object>) raw;
      Object nameValue = map.get("name");
      if (!(nameValue instanceof String oldName)) {
        return;
      }
      Predicate<Resource> cands = visible;
      String ns = JsonTrees.string(map, "namespace");
      if (ns != null) {
        cands = visible.and(r -> r.allIds().stream().anyMatch(id -> id.isNsEquals(new ResId(id.gvk(), id.name(), ns))));
      }
      Resource r = select(oldName, cands, true);
      if (r == null) {
        return;
      }
      if (r.name().equals(oldName) && r.namespace().isEmpty()) {
        return;
      }
      map.put("name", r.name());
      if (!r.namespace().isEmpty()) {
        map.put("namespace", r.namespace());
      }
    }

    /** nameref.selectReferral over the resources with the previous name {@code oldName} that pass {@code from}. */
    private Resource select(String oldName, Predicate<Resource> from, boolean compareNamespaces) {
      List<Resource> c = sieve(byPreviousName.getOrDefault(oldName, List.of()), from);
      c = sieve(c, r -> r.previousIds().stream().anyMatch(id -> id.gvk().isSelected(target)));
      if (fs.path().endsWith("roleRef/name")) {
        String roleRefKind = JsonTrees.string(JsonTrees.map(referrer.object(), "roleRef"), "kind");
        if (roleRefKind != null) {
          Gvk kindOnly = new Gvk("", "", roleRefKind);
          c = sieve(c, r -> r.previousIds().stream().anyMatch(id -> id.gvk().isSelected(kindOnly)));
        }
      }
      ResId referrerId = referrer.curId();
      if (!referrerId.isClusterScoped()) {
        c = sieve(c, r -> r.curId().isClusterScoped() || r.kind().equals("ServiceAccount")
            || referrerId.isNsEquals(r.curId()));
      }
      if (c.size() == 1) {
        return c.get(0);
      }
      // kustomize sieves twice: an empty prefix/suffix list matches any first, exact lists only if still ambiguous
      c = sieve(c, r -> r.prefixesSuffixesEquals(referrer, true));
      if (c.size() > 1) {
        c = sieve(c, r -> r.prefixesSuffixesEquals(referrer, false));
      }
      if (c.size() == 1) {
        return c.get(0);
      }
      if (c.isEmpty()) {
        return null;
      }
      Resource first = c.get(0);
      boolean same = c.stream().allMatch(r -> r.name().equals(first.name())
          && (!compareNamespaces || r.namespace().equals(first.namespace())));
      if (same) {
        return c.get(0);
      }
      List<ResId> ids = new ArrayList<>();
      c.forEach(r -> ids.add(r.curId()));
      throw new KustomizeException("found multiple possible referrals: " + ids + " for " + fs.path() + " '"
          + oldName + "' in " + referrer.curId());
    }

    private static List<Resource> sieve(List<Resource> in, Predicate<Resource> p) {
      List<Resource> out = new ArrayList<>();
      for (Resource r : in) {
        if (p.test(r)) {
          out.add(r);
        }
      }
      return out;
    }
  }
}

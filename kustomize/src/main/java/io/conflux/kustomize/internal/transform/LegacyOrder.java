package io.conflux.kustomize.internal.transform;

import io.conflux.kustomize.internal.resource.Gvk;
import io.conflux.kustomize.internal.resource.ResId;
import io.conflux.kustomize.internal.resource.ResMap;
import io.conflux.kustomize.internal.resource.Resource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * kustomize's default output order (follows plugin/builtin/sortordertransformer, legacy mode,
 * and kyaml/resid/gvk.go): kinds of {@code orderFirst} first in that order, kinds of
 * {@code orderLast} last, others in between; ties broken by gvk, namespace and name.
 */
public record LegacyOrder(List<String> orderFirst, List<String> orderLast) implements Transformer {

  /** The default legacy order. */
  public static LegacyOrder defaults() {
    return new LegacyOrder(Gvk.ORDER_FIRST, Gvk.ORDER_LAST);
  }

  @Override
  public void transform(ResMap m) {
    Map<String, Integer> typeOrders = new HashMap<>();
    for (int i = 0; i < orderFirst.size(); i++) {
      typeOrders.put(orderFirst.get(i), -orderFirst.size() + i);
    }
    for (int i = 0; i < orderLast.size(); i++) {
      typeOrders.put(orderLast.get(i), 1 + i);
    }
    Comparator<Resource> cmp = (a, b) -> {
      ResId x = a.curId();
      ResId y = b.curId();
      if (!x.gvk().equals(y.gvk())) {
        int ix = typeOrders.getOrDefault(x.gvk().kind(), 0);
        int iy = typeOrders.getOrDefault(y.gvk().kind(), 0);
        if (ix != iy) {
          return Integer.compare(ix, iy);
        }
        return x.gvk().sortString().compareTo(y.gvk().sortString());
      }
      return x.legacySortString().compareTo(y.legacySortString());
    };
    List<Resource> sorted = new ArrayList<>(m.resources());
    sorted.sort(cmp);
    m.setAll(sorted);
  }
}

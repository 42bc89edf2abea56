package io.conflux.kustomize.internal.fieldspec;

import io.conflux.kustomize.BuildCancelledException;
import io.conflux.kustomize.KustomizeException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Visits the fields a {@link FieldSpec} designates in one object, creating missing ones when the
 * spec says so; sequences met on the way are traversed element by element (follows
 * api/filters/fieldspec/fieldspec.go).
 */
public final class FieldWalker {
  /** What to create at the end of the path when it is missing. */
  public enum CreateKind { NONE, SCALAR, MAP }

  /** A place holding a value: read it, replace it. */
  public interface Slot {
    Object get();

    void set(Object value);
  }

  /** Receives each designated field. */
  @FunctionalInterface
  public interface Visitor {
    void visit(Slot slot);
  }

  private FieldWalker() {}

  /**
   * Visits the fields designated by {@code spec} in {@code object}, when the spec applies to it.
   *
   * @param createKind the kind of node to create at the end of the path when missing and the spec
   *     has {@code create: true}; {@link CreateKind#NONE} never creates
   */
  public static void walk(Map<String, Object> object, io.conflux.kustomize.internal.resource.Gvk gvk,
      FieldSpec spec, CreateKind createKind, Visitor visitor) {
    if (!spec.appliesTo(gvk)) {
      return;
    }
    BuildCancelledException.checkpoint("a transformer's field walk");
    walk(object, spec.segments(), 0, spec.create() ? createKind : CreateKind.NONE, visitor, spec);
  }

  @SuppressWarnings("unchecked")
  private static void walk(Object node, List<String> path, int i, CreateKind create, Visitor visitor,
      FieldSpec spec) {
    if (node == null) {
      return;
    }
    if (node instanceof List<?> list) {
      for (Object element : list) {
        walk(element, path, i, create, visitor, spec);
      }
      return;
    }
    if (!(node instanceof Map<?, ?>)) {
      throw new KustomizeException("expected sequence or mapping node at '" + String.join("/", path.subList(0, i))
          + "' for field spec " + spec.path());
    }
    Map<String, Object> map = (Map<String, Object>) node;
    String field = path.get(i);
    boolean isSeq = field.endsWith("[]");
    if (isSeq) {
      field = field.substring(0, field.length() - 2);
    }
    boolean last = i == path.size() - 1;
    if (!map.containsKey(field) || map.get(field) == null) {
      if (create == CreateKind.NONE || isSeq) {
        if (last && map.containsKey(field)) {
          visitor.visit(slot(map, field));
        }
        return;
      }
      if (last) {
        if (create == CreateKind.MAP) {
          map.put(field, new LinkedHashMap<String, Object>());
        } else if (!map.containsKey(field)) {
          map.put(field, null);
        }
      } else {
        map.put(field, new LinkedHashMap<String, Object>());
      }
    }
    if (last) {
      visitor.visit(slot(map, field));
      return;
    }
    walk(map.get(field), path, i + 1, create, visitor, spec);
  }

  private static Slot slot(Map<String, Object> map, String field) {
    return new Slot() {
      @Override
      public Object get() {
        return map.get(field);
      }

      @Override
      public void set(Object value) {
        map.put(field, value);
      }
    };
  }
}

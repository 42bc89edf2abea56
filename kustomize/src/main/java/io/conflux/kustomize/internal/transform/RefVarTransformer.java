package io.conflux.kustomize.internal.transform;

import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.internal.JsonTrees;
import io.conflux.kustomize.internal.fieldspec.FieldSpec;
import io.conflux.kustomize.internal.fieldspec.FieldWalker;
import io.conflux.kustomize.internal.resource.ResMap;
import io.conflux.kustomize.internal.resource.Resource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves {@code vars}: each var's value is a field of the object its objref names; then
 * {@code $(NAME)} in the varReference fields is replaced (follows
 * api/internal/accumulator/resaccumulator.go ResolveVars and api/filters/refvar). A field that is
 * exactly one reference takes the value with its type; {@code $$} escapes; unknown references
 * stay as they are.
 */
public record RefVarTransformer(List<Map<String, Object>> vars, List<FieldSpec> fieldSpecs) implements Transformer {

  @Override
  public void transform(ResMap m) {
    if (vars.isEmpty()) {
      return;
    }
    Map<String, Object> values = new LinkedHashMap<>();
    for (Map<String, Object> v : vars) {
      String name = JsonTrees.string(v, "name");
      List<Resource> matched = new ArrayList<>();
      for (Resource r : m.resources()) {
        if (r.refVarNames().contains(name)) {
          matched.add(r);
        }
      }
      if (matched.isEmpty()) {
        throw new KustomizeException("var '" + name + "' cannot be mapped to a field in the set of known resources");
      }
      Object fieldPathValue = JsonTrees.getIgnoreCase(JsonTrees.getIgnoreCase(v, "fieldref"), "fieldPath");
      String fieldPath = fieldPathValue == null ? null : String.valueOf(fieldPathValue);
      if (fieldPath == null || fieldPath.isEmpty()) {
        fieldPath = "metadata.name";
      }
      List<FieldWalker.Slot> slots = FieldPath.find(matched.get(0).object(), FieldPath.split(fieldPath), null);
      if (slots.isEmpty()) {
        throw new KustomizeException("field specified in var '" + name + "' (" + fieldPath
            + ") not found in corresponding resource " + matched.get(0).curId());
      }
      values.put(name, slots.get(0).get());
    }
    for (Resource r : m.resources()) {
      for (FieldSpec fs : fieldSpecs) {
        FieldWalker.walk(r.object(), r.gvk(), fs, FieldWalker.CreateKind.NONE, slot -> replace(slot, values));
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static void replace(FieldWalker.Slot slot, Map<String, Object> values) {
    Object v = slot.get();
    if (v instanceof String s) {
      slot.set(expand(s, values));
    } else if (v instanceof List<?> l) {
      List<Object> list = (List<Object>) l;
      for (int i = 0; i < list.size(); i++) {
        if (list.get(i) instanceof String s) {
          list.set(i, expand(s, values));
        }
      }
    } else if (v instanceof Map<?, ?> mm) {
      Map<String, Object> map = (Map<String, Object>) mm;
      for (Map.Entry<String, Object> e : new ArrayList<>(map.entrySet())) {
        if (e.getValue() instanceof String s) {
          map.put(e.getKey(), expand(s, values));
        }
      }
    }
  }

  /** Expands {@code $(VAR)} references (kubernetes third_party/forked/golang/expansion). */
  static Object expand(String input, Map<String, Object> values) {
    if (input.startsWith("$(") && input.endsWith(")") && input.indexOf(')') == input.length() - 1) {
      String name = input.substring(2, input.length() - 1);
      if (values.containsKey(name)) {
        return values.get(name);
      }
    }
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < input.length()) {
      char c = input.charAt(i);
      if (c == '$' && i + 1 < input.length()) {
        char n = input.charAt(i + 1);
        if (n == '$') {
          out.append('$');
          i += 2;
          continue;
        }
        if (n == '(') {
          int close = input.indexOf(')', i + 2);
          if (close > 0) {
            String name = input.substring(i + 2, close);
            if (values.containsKey(name)) {
              Object val = values.get(name);
              out.append(val == null ? "" : JsonTrees.scalarText(val));
            } else {
              out.append(input, i, close + 1);
            }
            i = close + 1;
            continue;
          }
        }
      }
      out.append(c);
      i++;
    }
    return out.toString();
  }
}

package io.conflux.kustomize.internal.resource;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.internal.JsonTrees;
import java.util.Map;

/**
 * A patch or replacement target: group, version, kind, name and namespace as anchored regular
 * expressions, plus label and annotation selectors (follows api/types/selector.go and
 * resWrangler.Select). The expressions are RE2 (RE2/J), as kustomize's Go {@code regexp}: the same syntax, and
 * matching in time linear in the name, so that a tenant's target cannot make the renderer backtrack for ever.
 */
public record Selector(String group, String version, String kind, String name, String namespace,
    String labelSelector, String annotationSelector) {

  /** Reads a selector map ({@code group, version, kind, name, namespace, labelSelector, annotationSelector}). */
  public static Selector of(Map<String, Object> m) {
    if (m == null) {
      return null;
    }
    return new Selector(JsonTrees.string(m, "group"), JsonTrees.string(m, "version"),
        JsonTrees.string(m, "kind"), JsonTrees.string(m, "name"), JsonTrees.string(m, "namespace"),
        JsonTrees.string(m, "labelSelector"), JsonTrees.string(m, "annotationSelector"));
  }

  /** True when {@code r} is selected: original or current name/namespace, current gvk, labels, annotations. */
  public boolean selects(Resource r) {
    ResId cur = r.curId();
    ResId org = r.orgId();
    if (!blank(namespace) && !matches(namespace, org.effectiveNamespace())
        && !matches(namespace, cur.effectiveNamespace())) {
      return false;
    }
    if (!blank(name) && !matches(name, org.name()) && !matches(name, cur.name())) {
      return false;
    }
    Gvk gvk = cur.gvk();
    if (!blank(group) && !matches(group, gvk.group())
        || !blank(version) && !matches(version, gvk.version())
        || !blank(kind) && !matches(kind, gvk.kind())) {
      return false;
    }
    if (!blank(labelSelector) && !LabelSelector.parse(labelSelector).matches(r.labels())) {
      return false;
    }
    return blank(annotationSelector) || LabelSelector.parse(annotationSelector).matches(r.annotations());
  }

  private static boolean blank(String s) {
    return s == null || s.isEmpty();
  }

  private static boolean matches(String regex, String value) {
    try {
      return Pattern.compile("^(?:" + regex + ")$").matcher(value).matches();
    } catch (PatternSyntaxException e) {
      throw new KustomizeException("invalid regular expression '" + regex + "' in target: " + e.getDescription(), e);
    }
  }
}

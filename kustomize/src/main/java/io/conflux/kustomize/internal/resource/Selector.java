package io.conflux.kustomize.internal.resource;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.internal.JsonTrees;
import java.util.Map;
import java.util.function.Predicate;

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
    return matcher().test(r);
  }

  /**
   * {@link #selects} as a reusable test: each expression and label selector is compiled once, on its first use,
   * so selecting over n resources compiles at most one pattern per field instead of one per resource.
   *
   * @return a test that throws {@link KustomizeException} on an invalid expression when it first needs it
   */
  public Predicate<Resource> matcher() {
    return new Compiled(this)::selects;
  }

  private static boolean blank(String s) {
    return s == null || s.isEmpty();
  }

  /** One selector with its expressions compiled lazily (null until first used). */
  private static final class Compiled {
    private final Selector s;
    private Pattern group;
    private Pattern version;
    private Pattern kind;
    private Pattern name;
    private Pattern namespace;
    private LabelSelector labels;
    private LabelSelector annotations;

    Compiled(Selector s) {
      this.s = s;
    }

    boolean selects(Resource r) {
      ResId cur = r.curId();
      ResId org = r.orgId();
      if (!blank(s.namespace)) {
        namespace = namespace == null ? compile(s.namespace) : namespace;
        if (!matches(namespace, org.effectiveNamespace()) && !matches(namespace, cur.effectiveNamespace())) {
          return false;
        }
      }
      if (!blank(s.name)) {
        name = name == null ? compile(s.name) : name;
        if (!matches(name, org.name()) && !matches(name, cur.name())) {
          return false;
        }
      }
      Gvk gvk = cur.gvk();
      if (!blank(s.group)) {
        group = group == null ? compile(s.group) : group;
        if (!matches(group, gvk.group())) {
          return false;
        }
      }
      if (!blank(s.version)) {
        version = version == null ? compile(s.version) : version;
        if (!matches(version, gvk.version())) {
          return false;
        }
      }
      if (!blank(s.kind)) {
        kind = kind == null ? compile(s.kind) : kind;
        if (!matches(kind, gvk.kind())) {
          return false;
        }
      }
      if (!blank(s.labelSelector)) {
        labels = labels == null ? LabelSelector.parse(s.labelSelector) : labels;
        if (!labels.matches(r.labels())) {
          return false;
        }
      }
      if (blank(s.annotationSelector)) {
        return true;
      }
      annotations = annotations == null ? LabelSelector.parse(s.annotationSelector) : annotations;
      return annotations.matches(r.annotations());
    }

    private static boolean matches(Pattern p, String value) {
      return p.matcher(value).matches();
    }

    private static Pattern compile(String regex) {
      try {
        return Pattern.compile("^(?:" + regex + ")$");
      } catch (PatternSyntaxException e) {
        throw new KustomizeException("invalid regular expression '" + regex + "' in target: " + e.getDescription(), e);
      }
    }
  }
}

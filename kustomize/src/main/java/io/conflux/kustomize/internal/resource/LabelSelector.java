package io.conflux.kustomize.internal.resource;

import io.conflux.kustomize.KustomizeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Kubernetes label selector in its string form ({@code a=b,c!=d,e in (x,y),f notin (z),g,!h});
 * follows apimachinery/pkg/labels/selector.go as used by kustomize's patch targets.
 */
public final class LabelSelector {
  private record Requirement(String key, String op, Set<String> values) {}

  private final List<Requirement> requirements;

  private LabelSelector(List<Requirement> requirements) {
    this.requirements = requirements;
  }

  /** Parses a selector; blank text selects everything. */
  public static LabelSelector parse(String text) {
    List<Requirement> reqs = new ArrayList<>();
    if (text == null || text.isBlank()) {
      return new LabelSelector(reqs);
    }
    for (String part : splitTopLevel(text)) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      java.util.regex.Matcher set = java.util.regex.Pattern
          .compile("^(\\S+)\\s+(in|notin)\\s*\\((.*)\\)$").matcher(p);
      if (set.matches()) {
        Set<String> values = new java.util.LinkedHashSet<>();
        for (String v : set.group(3).split(",")) {
          values.add(v.trim());
        }
        reqs.add(new Requirement(set.group(1), set.group(2), values));
      } else if (p.contains("!=")) {
        String[] kv = p.split("!=", 2);
        reqs.add(new Requirement(kv[0].trim(), "!=", Set.of(kv[1].trim())));
      } else if (p.contains("==")) {
        String[] kv = p.split("==", 2);
        reqs.add(new Requirement(kv[0].trim(), "=", Set.of(kv[1].trim())));
      } else if (p.contains("=")) {
        String[] kv = p.split("=", 2);
        reqs.add(new Requirement(kv[0].trim(), "=", Set.of(kv[1].trim())));
      } else if (p.startsWith("!")) {
        reqs.add(new Requirement(p.substring(1).trim(), "!", Set.of()));
      } else if (p.matches("[A-Za-z0-9./_-]+")) {
        reqs.add(new Requirement(p, "exists", Set.of()));
      } else {
        throw new KustomizeException("unable to parse requirement: '" + p + "' in selector '" + text + "'");
      }
    }
    return new LabelSelector(reqs);
  }

  private static List<String> splitTopLevel(String text) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    StringBuilder cur = new StringBuilder();
    for (char c : text.toCharArray()) {
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      }
      if (c == ',' && depth == 0) {
        parts.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    parts.add(cur.toString());
    return parts;
  }

  /** True when {@code labels} satisfy every requirement. */
  public boolean matches(Map<String, String> labels) {
    for (Requirement r : requirements) {
      String v = labels.get(r.key);
      boolean ok = switch (r.op) {
        case "=" -> v != null && r.values.contains(v);
        case "!=" -> v == null || !r.values.contains(v);
        case "in" -> v != null && r.values.contains(v);
        case "notin" -> v == null || !r.values.contains(v);
        case "exists" -> v != null;
        case "!" -> v == null;
        default -> false;
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}

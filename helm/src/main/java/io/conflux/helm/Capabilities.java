package io.conflux.helm;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a chart sees as {@code .Capabilities} of the cluster it is rendered for, as helm-controller passes its target
 * cluster's discovery to Helm: {@code KubeVersion} and {@code APIVersions}.
 *
 * <p>helm-java 0.0.21 (the embedded Helm) has no {@code --api-versions}, so the API versions reach the chart by a
 * rewrite of its template files: {@code <x>.Capabilities.APIVersions.Has <arg>} (with {@code <x>} empty, {@code $} or a
 * variable, {@code <arg>} a string literal, a raw string or a variable/field path) becomes
 * {@code (has <arg> (splitList "," "<the versions>"))}, Sprig's {@code has} over the discovered list, which answers as
 * Helm's {@code VersionSet.Has} does (exact membership of {@code group/version} or {@code group/version/Kind}).
 * Other uses of {@code .Capabilities.APIVersions} (ranging over it, a computed argument in parentheses) keep Helm's
 * default set. Templates of subcharts packaged as {@code charts/*.tgz} are not rewritten (as for hooks,
 * {@link DeferredHooks}).
 *
 * @param kubeVersion the cluster's version ({@code .Capabilities.KubeVersion}, e.g. {@code v1.31.2}), null for
 *                    {@link ChartRenderer#DEFAULT_KUBE_VERSION}
 * @param apiVersions what the cluster serves: {@code group/version}, {@code group/version/Kind} ({@code v1},
 *                    {@code v1/Pod} for the core group); null keeps Helm's default set
 */
public record Capabilities(String kubeVersion, Set<String> apiVersions) {
  /** Helm's defaults: {@link ChartRenderer#DEFAULT_KUBE_VERSION} and Helm's built-in API versions. */
  public static final Capabilities DEFAULT = new Capabilities(null, null);

  static final String HAS = ".Capabilities.APIVersions.Has";
  private static final Pattern CALL = Pattern.compile(
      "(\\$[A-Za-z0-9_]*)?\\.Capabilities\\.APIVersions\\.Has\\s+(\"(?:[^\"\\\\]|\\\\.)*\"|`[^`]*`|\\$?[A-Za-z0-9_.$]+)");

  /** Canonical form: the versions sorted, immutable. */
  public Capabilities {
    apiVersions = apiVersions == null ? null : Set.copyOf(new TreeSet<>(apiVersions));
  }

  /** @return whether template files need the rewrite */
  boolean rewrites() {
    return apiVersions != null;
  }

  /**
   * @param template a template file's text
   * @return the text with each {@code .Capabilities.APIVersions.Has <arg>} answered from {@link #apiVersions}
   */
  String rewrite(String template) {
    if (apiVersions == null || !template.contains(HAS)) {
      return template;
    }
    String list = String.join(",", new TreeSet<>(apiVersions)).replace("\\", "\\\\").replace("\"", "\\\"");
    Matcher m = CALL.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement("(has " + m.group(2) + " (splitList \",\" \"" + list + "\"))"));
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * @return the API versions of a discovery answer
   * @param groupVersions each served {@code group/version} ({@code v1} for core) with the kinds it serves
   */
  public static Set<String> apiVersions(List<GroupVersion> groupVersions) {
    Set<String> out = new TreeSet<>();
    for (GroupVersion gv : Objects.requireNonNull(groupVersions, "groupVersions")) {
      out.add(gv.groupVersion());
      for (String kind : gv.kinds()) {
        out.add(gv.groupVersion() + "/" + kind);
      }
    }
    return out;
  }

  /**
   * One served group version.
   *
   * @param groupVersion e.g. {@code apps/v1}, {@code v1}
   * @param kinds        the kinds it serves (subresources left out)
   */
  public record GroupVersion(String groupVersion, List<String> kinds) {
  }
}

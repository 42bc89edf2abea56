package io.conflux.kustomize;

import io.conflux.kustomize.yaml.KYaml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One conformance case directory, in the layout of {@code ../../shared/conformance/kustomize/cases} and of
 * the generated {@code conformance/krusty/cases} ({@code conformance/krusty_cases.py}): {@code input/} the
 * tree, {@code cmd} the directory to build relative to it (or a remote URL, built as {@code kustomize build URL}), and either {@code expected.yaml} (the stream),
 * {@code expected-contains} (text the stream must contain, where kustomize's test asserts only a fragment) or
 * {@code expected-error} (the build must fail; each line is a fragment kustomize's message contains). An
 * optional {@code options} file holds {@code key=value} lines: {@code reorder=none} (input order, krusty's
 * default), {@code reorder=legacy|unspecified}, {@code loadRestrictor=none|rootOnly}, {@code plugins=enabled}
 * (kustomize may load non-builtin plugins, as {@code --enable-alpha-plugins}: legacy exec plugins run from the case's
 * {@code plugins/} directory, the plugin home, where their programs keep their executable bit), {@code exec=enabled} (exec KRM functions run, as
 * {@code --enable-alpha-plugins --enable-exec}), {@code helm=enabled} (helmCharts are inflated, as
 * {@code --enable-helm}: the case needs a {@link ChartInflator}, so it runs in the helm module's
 * KrustyHelmConformanceTest), {@code managedByLabel=true} (kustomize's
 * {@code --enable-managedby-label}), {@code remote=vendored} (the remote files the case names are served offline from
 * its {@code remote/} directory, {@link VendoredRemotes}).
 *
 * @param name the directory name
 * @param dir the case directory
 * @param inflator the chart inflator for {@code helm=enabled} cases, or null where none is on the class path
 */
record ConformanceCase(String name, Path dir, ChartInflator inflator) {
  /** How long one exec function of a case may run. */
  private static final java.time.Duration EXEC_TIMEOUT = java.time.Duration.ofMinutes(1);

  /** Whether the case inflates Helm charts ({@code helm=enabled}). */
  boolean needsHelm() throws IOException {
    return "enabled".equals(options().get("helm"));
  }

  /** What running one case gave. */
  record Outcome(boolean passed, boolean textIdentical, boolean messageMatched, String problem) {}

  /** The options file as a map (empty when absent). */
  Map<String, String> options() throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    Path f = dir.resolve("options");
    if (Files.exists(f)) {
      for (String line : Files.readAllLines(f)) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          out.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
        }
      }
    }
    return out;
  }

  /** The kustomizer these options ask for. */
  Kustomizer kustomizer() throws IOException {
    Map<String, String> o = options();
    Kustomizer k = Kustomizer.create();
    if ("none".equals(o.get("loadRestrictor"))) {
      k = k.withLoadRestrictions(LoadRestrictions.NONE);
    }
    if ("none".equals(o.get("reorder"))) {
      k = k.withInputOrder();
    }
    if ("enabled".equals(o.get("plugins"))) {
      k = k.withExecPlugins(ExecPlugins.enabled(dir.resolve("plugins").toAbsolutePath(), EXEC_TIMEOUT));
    }
    if ("enabled".equals(o.get("exec"))) {
      k = k.withExecFunctions(ExecFunctions.enabled(EXEC_TIMEOUT));
    }
    if ("enabled".equals(o.get("helm")) && inflator != null) {
      k = k.withChartInflator(inflator);
    }
    if ("true".equals(o.get("managedByLabel"))) {
      k = k.withManagedByLabel();
    }
    if ("vendored".equals(o.get("remote"))) {
      k = k.withRemoteFetcher(new VendoredRemotes(dir.resolve("remote")));
    }
    return k;
  }

  /** Builds the case's directory, or with a remote {@code cmd} (kustomize build URL) that remote root. */
  private ResourceList build(String cmd, Path target) throws IOException {
    return target == null ? kustomizer().buildRemote(cmd) : kustomizer().build(target);
  }

  /** Builds the case and compares: data and order for a stream; failure (and message fragments) for an error. */
  Outcome run() throws IOException {
    String cmd = Files.readString(dir.resolve("cmd")).trim();
    Path target = io.conflux.kustomize.internal.build.Loader.isRemote(cmd) ? null : dir.resolve("input").resolve(cmd);
    Path error = dir.resolve("expected-error");
    if (Files.exists(error)) {
      try {
        ResourceList built = build(cmd, target);
        return new Outcome(false, false, false, "expected the build to fail ("
            + Files.readString(error).trim() + ") but it gave " + built.objects().size() + " objects:\n"
            + built.toYaml());
      } catch (KustomizeException e) {
        boolean all = true;
        for (String fragment : Files.readAllLines(error)) {
          if (!fragment.isBlank() && !e.getMessage().contains(fragment.strip())) {
            all = false;
          }
        }
        return new Outcome(true, false, all, e.getMessage());
      }
    }
    Path contains = dir.resolve("expected-contains");
    if (Files.exists(contains)) {
      String fragment = Files.readString(contains);
      try {
        String text = build(cmd, target).toYaml();
        boolean found = text.contains(fragment);
        return new Outcome(found, found, false, found ? null : "the output lacks the fragment\n" + fragment
            + "\n--- output:\n" + text);
      } catch (KustomizeException e) {
        return new Outcome(false, false, false, "build failed: " + e.getMessage());
      }
    }
    String expectedText = Files.readString(dir.resolve("expected.yaml"));
    List<Map<String, Object>> expected = KYaml.parseAll(expectedText, "expected.yaml");
    try {
      ResourceList built = build(cmd, target);
      String problem = Compare.difference(expected, built.objects());
      boolean text = built.toYaml().equals(expectedText);
      return new Outcome(problem == null, text, false, problem);
    } catch (KustomizeException e) {
      return new Outcome(false, false, false, "build failed: " + e.getMessage());
    }
  }
}

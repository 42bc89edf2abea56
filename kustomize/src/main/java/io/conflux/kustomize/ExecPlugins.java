package io.conflux.kustomize;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Permission, and the place, to run kustomize's legacy exec plugins: what {@code kustomize build
 * --enable-alpha-plugins} allows (kustomize v5.7: api/internal/plugins/loader/loader.go loadExecOrGoPlugin,
 * api/internal/plugins/execplugin/execplugin.go, api/konfig/plugins.go DefaultAbsPluginHome). A {@code generators} or
 * {@code transformers} entry whose {@code apiVersion} is not {@code builtin} and that carries no KRM function spec
 * names a program {@code <plugin home>/<group>/<version>/<lowercase kind>/<Kind>}; it runs with the entry's YAML in a
 * temporary file as its first argument (then the entry's {@code argsOneLiner} or {@code argsFromFile} arguments),
 * {@code KUSTOMIZE_PLUGIN_CONFIG_STRING} and {@code KUSTOMIZE_PLUGIN_CONFIG_ROOT} in its environment, in the
 * kustomization's directory; a transformer gets the resources on standard input. Go plugins ({@code <Kind>.so}) are
 * never loaded.
 *
 * <p><b>Security.</b> This runs programs from the plugin home for a user's own builds ({@code conflux kustomize
 * build --enable-alpha-plugins}); the renderer and the services never enable it (Flux's kustomize-controller builds
 * with plugins disabled). Without it, a non-builtin entry fails with kustomize's "external plugins disabled" error.
 * Immutable and thread-safe.
 */
public final class ExecPlugins {
  /** kustomize's plugin home variable (konfig.KustomizePluginHomeEnv). */
  public static final String PLUGIN_HOME_ENV = "KUSTOMIZE_PLUGIN_HOME";

  private final Path home;
  private final String notFound;
  private final ExecFunctions runner;

  private ExecPlugins(Path home, String notFound, Duration timeout) {
    this.home = home;
    this.notFound = notFound;
    this.runner = ExecFunctions.enabled(timeout);
  }

  /**
   * Exec plugins enabled, looked up under {@code pluginHome}.
   *
   * @param pluginHome the plugin home directory (absolute, on the default file system)
   * @param timeout how long one plugin run may take, positive (kustomize has no limit; a bound keeps a stuck plugin
   *     from hanging the build)
   * @return the permission
   */
  public static ExecPlugins enabled(Path pluginHome, Duration timeout) {
    return new ExecPlugins(Objects.requireNonNull(pluginHome, "pluginHome"), null, timeout);
  }

  /**
   * Exec plugins enabled, with the plugin home kustomize's {@code DefaultAbsPluginHome} picks: the first directory that
   * exists of {@code $KUSTOMIZE_PLUGIN_HOME}, {@code $XDG_CONFIG_HOME/kustomize/plugin},
   * {@code $HOME/.config/kustomize/plugin} and {@code $HOME/kustomize/plugin}. When none exists the build fails only
   * once a plugin is needed, listing where it looked (as kustomize).
   *
   * @param env the environment (e.g. {@link System#getenv()})
   * @param timeout how long one plugin run may take, positive
   * @return the permission
   */
  public static ExecPlugins fromEnvironment(Map<String, String> env, Duration timeout) {
    String home = env.getOrDefault("HOME", "~");
    String xdg = env.get("XDG_CONFIG_HOME");
    String pluginHome = env.get(PLUGIN_HOME_ENV);
    List<String[]> candidates = new ArrayList<>();
    candidates.add(new String[] {"homed in $" + PLUGIN_HOME_ENV, blankToNull(pluginHome)});
    candidates.add(new String[] {"homed in $XDG_CONFIG_HOME",
        blankToNull(xdg) == null ? null : Path.of(xdg, "kustomize", "plugin").toString()});
    candidates.add(new String[] {"homed in default value of $XDG_CONFIG_HOME",
        Path.of(home, ".config", "kustomize", "plugin").toString()});
    candidates.add(new String[] {"homed in home directory", Path.of(home, "kustomize", "plugin").toString()});
    StringBuilder tried = new StringBuilder("unable to find plugin root - tried:");
    for (String[] c : candidates) {
      if (c[1] != null && Files.isDirectory(Path.of(c[1]))) {
        return new ExecPlugins(Path.of(c[1]).toAbsolutePath(), null, timeout);
      }
      tried.append(" ('").append(c[0]).append("'; '").append(c[1] == null ? "<no value>" : c[1]).append("')");
    }
    return new ExecPlugins(null, tried.toString(), timeout);
  }

  /**
   * Where the program of a plugin kind lives: {@code <home>/<group>/<version>/<lowercase kind>/<Kind>}.
   *
   * @param group the config's API group (may be empty)
   * @param version the config's API version
   * @param kind the config's kind
   * @return the absolute path of the program (it may not exist)
   * @throws KustomizeException when no plugin home exists (message lists the directories tried)
   */
  public Path programOf(String group, String version, String kind) {
    if (home == null) {
      throw new KustomizeException(notFound);
    }
    Path p = home;
    for (String s : new String[] {group, version, kind.toLowerCase(java.util.Locale.ROOT)}) {
      if (!s.isEmpty()) {
        p = p.resolve(s);
      }
    }
    return p.resolve(kind);
  }

  /**
   * Runs one plugin program.
   *
   * @param program the executable (absolute)
   * @param args its arguments (the config file first)
   * @param env extra {@code NAME=value} entries added to this process's environment
   * @param workingDir the kustomization's directory (absolute, not the root)
   * @param stdin the resources for a transformer, empty for a generator
   * @return standard output
   * @throws KustomizeException when it cannot start, exits non-zero (with its standard error) or exceeds the timeout
   */
  public byte[] run(Path program, List<String> args, List<String> env, Path workingDir, byte[] stdin) {
    return runner.run(program, args, env, workingDir, stdin);
  }

  private static String blankToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}

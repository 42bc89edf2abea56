package io.conflux.kustomize.internal.build;

import io.conflux.kustomize.ExecPlugins;
import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.internal.JsonTrees;
import io.conflux.kustomize.internal.resource.Gvk;
import io.conflux.kustomize.internal.resource.ResId;
import io.conflux.kustomize.internal.resource.ResMap;
import io.conflux.kustomize.internal.resource.Resource;
import io.conflux.kustomize.yaml.KYaml;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One legacy exec plugin configured by a non-builtin {@code generators}/{@code transformers} entry (follows kustomize
 * v5.7's api/internal/plugins/execplugin/execplugin.go and api/internal/plugins/utils/utils.go; re-implemented).
 *
 * <p>The program {@code <plugin home>/<group>/<version>/<lowercase kind>/<Kind>} must exist and be executable (a
 * {@code .so} Go plugin is refused). It runs with argv {@code [program, <config file>, args…]}: the config file is a
 * temporary file holding the entry's YAML, the args come from the entry's {@code argsOneLiner} (split as a shell
 * would) and {@code argsFromFile} (a file read through the kustomization's loader, one argument per non-empty line,
 * leading spaces trimmed). The environment adds {@code KUSTOMIZE_PLUGIN_CONFIG_STRING} (the YAML) and
 * {@code KUSTOMIZE_PLUGIN_CONFIG_ROOT} (the kustomization's directory), the working directory is that directory (this
 * process's own when the build reads another file system, e.g. Jimfs).
 *
 * <p>A generator's standard output is a stream of objects; the annotations {@code kustomize.config.k8s.io/needs-hash}
 * ({@code "true"}: the content hash suffix is added) and {@code kustomize.config.k8s.io/behavior} (create, merge,
 * replace) are read and removed. A transformer gets the resources on standard input, each annotated with
 * {@code kustomize.config.k8s.io/id} (its current id), and its output replaces them: an object whose id matches a
 * resource's current id replaces that resource's content (keeping its build history), others are appended, resources
 * absent from the output are dropped. A validator ({@code validators} entry) runs as a transformer whose output
 * may not touch the resources ({@link #validate}).
 */
final class ExecPlugin {
  private static final String ID = "kustomize.config.k8s.io/id";
  private static final String NEEDS_HASH = "kustomize.config.k8s.io/needs-hash";
  private static final String BEHAVIOR = "kustomize.config.k8s.io/behavior";

  private final Loader loader;
  private final Map<String, Object> config;
  private final String configYaml;
  private final String origin;
  private final ExecPlugins plugins;
  private final Path program;
  private final List<String> args;

  private ExecPlugin(Loader loader, Map<String, Object> config, String origin, ExecPlugins plugins, Path program,
      List<String> args) {
    this.loader = loader;
    this.config = config;
    this.configYaml = KYaml.dump(config);
    this.origin = ExecFunction.customOrigin(origin, config);
    this.plugins = plugins;
    this.program = program;
    this.args = args;
  }

  /**
   * The exec plugin of a non-builtin config.
   *
   * @param file the kustomization naming the entry, for messages
   * @param plugins the permission, or null when plugins are not enabled
   * @throws KustomizeException with kustomize's "external plugins disabled; unable to load external plugin '<Kind>'"
   *     when {@code plugins} is null; when the program is missing, not executable, or only a Go plugin exists; when
   *     {@code argsOneLiner} does not split or {@code argsFromFile} cannot be read
   */
  static ExecPlugin of(Loader loader, Path file, Map<String, Object> config, String origin, ExecPlugins plugins) {
    String kind = JsonTrees.string(config, "kind");
    String where = loader.display(file) + ": ";
    if (plugins == null) {
      throw new KustomizeException(where + "external plugins disabled; unable to load external plugin '" + kind
          + "' (kustomize build needs --enable-alpha-plugins for legacy exec plugins; `conflux kustomize build` takes"
          + " it; Flux and Conflux's services never run plugins)", file, -1, null);
    }
    Gvk gvk = new Resource(config).gvk();
    Path program = plugins.programOf(gvk.group(), gvk.version(), kind == null ? "" : kind);
    if (!Files.exists(program)) {
      if (Files.exists(program.resolveSibling(program.getFileName() + ".so"))) {
        throw new KustomizeException(where + "plugin " + gvk.group() + "/" + gvk.version() + "/" + kind + " is a Go"
            + " plugin (" + program + ".so): Go plugins are not supported, only exec plugins", file, -1, null);
      }
      throw new KustomizeException(where + "no exec plugin for " + gvk.group() + "/" + gvk.version() + ", Kind="
          + kind + ": " + program + " does not exist", file, -1, null);
    }
    if (!Files.isExecutable(program)) {
      throw new KustomizeException(where + "unexecutable plugin at: " + program, file, -1, null);
    }
    List<String> args = new ArrayList<>();
    String oneLiner = JsonTrees.string(config, "argsOneLiner");
    if (oneLiner != null && !oneLiner.isEmpty()) {
      args.addAll(shellSplit(oneLiner, where));
    }
    String fromFile = JsonTrees.string(config, "argsFromFile");
    if (fromFile != null && !fromFile.isEmpty()) {
      for (String line : loader.readText(fromFile).split("\n", -1)) {
        String a = line.stripLeading();
        if (!a.isEmpty()) {
          args.add(a);
        }
      }
    }
    return new ExecPlugin(loader, config, origin, plugins, program, args);
  }

  /** Runs the plugin as a generator: the objects it prints, with this entry's origin and their generator options. */
  List<Resource> generate() {
    List<Resource> out = new ArrayList<>();
    for (Map<String, Object> o : KYaml.parseAll(invoke(new byte[0]), "output of exec plugin " + program)) {
      Map<String, String> a = new LinkedHashMap<>(JsonTrees.stringMap(JsonTrees.get(o, "metadata", "annotations")));
      String needsHash = a.remove(NEEDS_HASH);
      String behavior = a.remove(BEHAVIOR);
      Resource r = new Resource(o);
      if (needsHash != null || behavior != null) {
        r.setAnnotations(a);
      }
      if (needsHash != null) {
        r.setNeedsHashSuffix(parseBool(needsHash));
      }
      r.setBehavior(behavior);
      r.setOrigin(origin);
      out.add(r);
    }
    return out;
  }

  /**
   * Runs the plugin as a transformer over {@code m}.
   *
   * @return the resources the plugin added (not among its input), identity-compared
   */
  java.util.Set<Resource> transform(ResMap m) {
    java.util.Set<Resource> created = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    List<Resource> before = m.resources();
    List<Resource> after = new ArrayList<>();
    for (Map<String, Object> o : runOver(m)) {
      Resource incoming = new Resource(o);
      ResId id = incoming.curId();
      for (Resource r : after) {
        if (r.curId().matches(id)) {
          throw new KustomizeException("plugin " + program + " generated duplicate resource: " + id);
        }
      }
      Resource kept = null;
      for (Resource r : before) {
        if (r.curId().matches(id)) {
          kept = r;
          break;
        }
      }
      if (kept != null) {
        kept.setObject(o);
        after.add(kept);
      } else {
        incoming.setOrigin(origin);
        created.add(incoming);
        after.add(incoming);
      }
    }
    m.setAll(after);
    return created;
  }

  /**
   * Runs the plugin as a validator over {@code m}, which it leaves as it is (kustomize v5.7.1's runValidators in
   * api/internal/target/kusttarget.go: the plugin transforms a shallow copy of the resource list, then the resources
   * are compared with a deep copy taken before). An object of its output with the current id of one of {@code m}'s
   * resources replaces that resource's YAML node, and kustomize compares the nodes with Go's reflect.DeepEqual (line and
   * column included), so such a validator always fails, even when it prints its input unchanged or only adds the
   * {@code validated-by} label the documentation allows (observed with kubectl kustomize v1.35); objects with other
   * ids, or no output, leave the build as it is.
   *
   * @throws KustomizeException kustomize's "validator shouldn't modify the resource map: nodes unequal" naming the
   *     first such resource, or when the plugin fails
   */
  void validate(ResMap m) {
    for (Map<String, Object> o : runOver(m.deepCopy())) {
      ResId id = new Resource(o).curId();
      for (Resource r : m.resources()) {
        if (r.curId().matches(id)) {
          throw new KustomizeException("validator shouldn't modify the resource map: nodes unequal: " + id
              + " (validator " + program + "; kustomize compares the object it printed back by its YAML nodes, which"
              + " never equal the original's)");
        }
      }
    }
  }

  /**
   * The plugin run with {@code m}'s resources on standard input, each annotated with its current id: the objects it
   * printed, that annotation removed (and an annotations map left empty).
   */
  private List<Map<String, Object>> runOver(ResMap m) {
    List<Map<String, Object>> input = new ArrayList<>();
    for (Resource r : m.resources()) {
      Map<String, Object> o = JsonTrees.copyMap(r.object());
      Map<String, Object> meta = JsonTrees.mapOrCreate(o, "metadata");
      Map<String, Object> a = new LinkedHashMap<>(JsonTrees.stringMap(meta.get("annotations")));
      a.put(ID, idYaml(r.curId()));
      meta.put("annotations", a);
      input.add(o);
    }
    String output = invoke(KYaml.dumpAll(input).getBytes(StandardCharsets.UTF_8));
    List<Map<String, Object>> out = KYaml.parseAll(output, "output of exec plugin " + program);
    for (Map<String, Object> o : out) {
      if (JsonTrees.get(o, "metadata", "annotations") instanceof Map<?, ?> a) {
        a.remove(ID);
        if (a.isEmpty()) {
          JsonTrees.map(o, "metadata").remove("annotations");
        }
      }
    }
    return out;
  }

  private String invoke(byte[] stdin) {
    Path configFile = null;
    try {
      configFile = Files.createTempFile("kust-plugin-config-", "");
      Files.writeString(configFile, configYaml);
      List<String> argv = new ArrayList<>();
      argv.add(configFile.toString());
      argv.addAll(args);
      List<String> env = List.of("KUSTOMIZE_PLUGIN_CONFIG_STRING=" + configYaml,
          "KUSTOMIZE_PLUGIN_CONFIG_ROOT=" + loader.root());
      // kustomize runs the plugin in the kustomization's directory when it exists on disk, else in its own directory
      Path workingDir = loader.root().getFileSystem() == java.nio.file.FileSystems.getDefault() ? loader.root()
          : Path.of("").toAbsolutePath();
      return new String(plugins.run(program, argv, env, workingDir, stdin), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new KustomizeException("exec plugin " + program + ": cannot write its config file: " + e.getMessage(), e);
    } finally {
      if (configFile != null) {
        try {
          Files.deleteIfExists(configFile);
        } catch (IOException e) {
          // a leftover file in the temporary directory is harmless
        }
      }
    }
  }

  /** kustomize marshals the id with sigs.k8s.io/yaml: keys in alphabetical order, empty ones left out. */
  private static String idYaml(ResId id) {
    StringBuilder b = new StringBuilder();
    if (!id.gvk().group().isEmpty()) {
      b.append("group: ").append(id.gvk().group()).append('\n');
    }
    b.append("kind: ").append(id.gvk().kind()).append('\n');
    if (!id.name().isEmpty()) {
      b.append("name: ").append(id.name()).append('\n');
    }
    if (!id.namespace().isEmpty()) {
      b.append("namespace: ").append(id.namespace()).append('\n');
    }
    if (!id.gvk().version().isEmpty()) {
      b.append("version: ").append(id.gvk().version()).append('\n');
    }
    return b.toString();
  }

  private static boolean parseBool(String v) {
    return switch (v) {
      case "1", "t", "T", "true", "TRUE", "True" -> true;
      case "0", "f", "F", "false", "FALSE", "False" -> false;
      default -> throw new KustomizeException("the annotation \"" + NEEDS_HASH + "\" contains an invalid value (\""
          + v + "\")");
    };
  }

  /** Splits a line into words as a POSIX shell does: blanks separate, quotes group, backslash escapes. */
  static List<String> shellSplit(String line, String where) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean inWord = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\'') {
        int end = line.indexOf('\'', i + 1);
        if (end < 0) {
          throw new KustomizeException(where + "failed to parse argsOneLiner: unclosed single quote");
        }
        cur.append(line, i + 1, end);
        i = end;
        inWord = true;
      } else if (c == '"') {
        int j = i + 1;
        for (; j < line.length() && line.charAt(j) != '"'; j++) {
          char d = line.charAt(j);
          if (d == '\\' && j + 1 < line.length() && "\\\"$`\n".indexOf(line.charAt(j + 1)) >= 0) {
            cur.append(line.charAt(++j));
          } else {
            cur.append(d);
          }
        }
        if (j >= line.length()) {
          throw new KustomizeException(where + "failed to parse argsOneLiner: unclosed double quote");
        }
        i = j;
        inWord = true;
      } else if (c == '\\' && i + 1 < line.length()) {
        cur.append(line.charAt(++i));
        inWord = true;
      } else if (Character.isWhitespace(c)) {
        if (inWord) {
          out.add(cur.toString());
          cur.setLength(0);
          inWord = false;
        }
      } else {
        cur.append(c);
        inWord = true;
      }
    }
    if (inWord) {
      out.add(cur.toString());
    }
    return out;
  }
}

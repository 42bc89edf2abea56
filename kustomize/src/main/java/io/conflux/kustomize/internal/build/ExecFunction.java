package io.conflux.kustomize.internal.build;

import io.conflux.kustomize.ExecFunctions;
import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.internal.JsonTrees;
import io.conflux.kustomize.internal.resource.ResMap;
import io.conflux.kustomize.internal.resource.Resource;
import io.conflux.kustomize.yaml.KYaml;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One KRM function configured in a {@code generators} or {@code transformers} entry (follows
 * api/internal/plugins/fnplugin/fnplugin.go, kyaml/fn/runtime/runtimeutil FunctionFilter and
 * kyaml/fn/runtime/exec of kustomize v5.7): the entry's {@code config.kubernetes.io/function} annotation (or the
 * older {@code config.k8s.io/function}) is the function spec. Only {@code exec} functions run, and only with
 * {@link ExecFunctions}; {@code container} functions are refused (no container runtime).
 *
 * <p>Protocol: a {@code config.kubernetes.io/v1 ResourceList} on standard input — {@code items} (for a generator
 * the function config itself, marked {@code config.kubernetes.io/local-config}, as kustomize sends it), each with
 * kyaml's {@code config.kubernetes.io/index} annotations, and {@code functionConfig} — and on standard output either
 * a ResourceList (its {@code items}) or a plain stream of objects. A transformer's output replaces the resources:
 * objects carrying the {@code config.k8s.io/id} annotation kustomize adds keep their resource's build history
 * (origin, previous names), others are new, missing ones are dropped.
 */
final class ExecFunction {
  private static final String ANNOTATION = "config.kubernetes.io/function";
  private static final String LEGACY_ANNOTATION = "config.k8s.io/function";
  private static final String ID = "config.k8s.io/id";
  private static final String ORIGIN = "config.kubernetes.io/origin";
  private static final List<String> INTERNAL = List.of("config.kubernetes.io/index",
      "internal.config.kubernetes.io/index", ID, ORIGIN);

  private final Loader loader;
  private final Map<String, Object> config;
  private final String origin;
  private final ExecFunctions exec;
  private final Path program;
  private final List<String> args;
  private final List<String> env;

  private ExecFunction(Loader loader, Map<String, Object> config, String origin, ExecFunctions exec, Path program,
      List<String> args, List<String> env) {
    this.loader = loader;
    this.config = config;
    this.origin = customOrigin(origin, config);
    this.exec = exec;
    this.program = program;
    this.args = args;
    this.env = env;
  }

  /** True when the config object carries a function spec annotation. */
  static boolean isFunction(Map<String, Object> config) {
    Object a = JsonTrees.get(config, "metadata", "annotations");
    return a instanceof Map<?, ?> m && (m.containsKey(ANNOTATION) || m.containsKey(LEGACY_ANNOTATION));
  }

  /**
   * The function of a config object.
   *
   * @param file the kustomization naming the entry, for messages
   * @param exec the permission to run, or null
   * @throws KustomizeException for a container function, a spec without {@code exec.path}, or when exec functions
   *     are not enabled (naming the file and the config's kind and name)
   */
  static ExecFunction of(Loader loader, Path file, Map<String, Object> config, String origin, ExecFunctions exec) {
    Map<String, String> annotations = JsonTrees.stringMap(JsonTrees.get(config, "metadata", "annotations"));
    String specText = annotations.getOrDefault(ANNOTATION, annotations.get(LEGACY_ANNOTATION));
    String what = loader.display(file) + ": function " + JsonTrees.string(config, "apiVersion") + "/"
        + JsonTrees.string(config, "kind") + " " + JsonTrees.string(JsonTrees.map(config, "metadata"), "name");
    List<Object> docs = KYaml.parseDocuments(specText == null ? "" : specText, what + " (function spec)", null);
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = !docs.isEmpty() && docs.get(0) instanceof Map<?, ?> d ? (Map<String, Object>) d : null;
    if (spec != null && spec.get("container") != null) {
      throw new KustomizeException(what + ": container functions are not supported: they need a container runtime"
          + " and Conflux runs none", file, -1, null);
    }
    Map<String, Object> execSpec = spec == null ? null : JsonTrees.map(spec, "exec");
    String path = JsonTrees.string(execSpec, "path");
    if (path == null || path.isEmpty()) {
      throw new KustomizeException(what + ": the function spec has no exec.path (only exec functions are supported)",
          file, -1, null);
    }
    if (exec == null) {
      throw new KustomizeException(what + ": exec functions are not enabled (kustomize build needs"
          + " --enable-alpha-plugins --enable-exec; `conflux kustomize build` takes them; Flux and Conflux's services"
          + " never run commands from a kustomization)", file, -1, null);
    }
    Path program = loader.root().getFileSystem().getPath(path).isAbsolute()
        ? loader.root().getFileSystem().getPath(path) : loader.root().resolve(path).normalize();
    return new ExecFunction(loader, config, origin, exec, program, strings(execSpec.get("args")),
        strings(execSpec.get("env")));
  }

  /** Runs the function as a generator: the objects it prints, with this entry's origin. */
  List<Resource> generate() {
    Map<String, Object> fc = withLocalConfig(JsonTrees.copyMap(config));
    List<Resource> out = new ArrayList<>();
    for (Map<String, Object> o : invoke(List.of(JsonTrees.copyMap(fc)), fc)) {
      String own = JsonTrees.stringMap(JsonTrees.get(o, "metadata", "annotations")).get(ORIGIN);
      Resource r = new Resource(stripInternal(o));
      r.setOrigin(own != null ? own : origin);
      out.add(r);
    }
    return out;
  }

  /**
   * Runs the function as a transformer over {@code m}, replacing its resources with the function's output.
   *
   * @return the resources the function created (not among its input) that have its origin (no origin annotation
   *     of their own), identity-compared
   */
  java.util.Set<Resource> transform(ResMap m) {
    java.util.Set<Resource> created = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    List<Resource> before = m.resources();
    List<Map<String, Object>> items = new ArrayList<>();
    for (int i = 0; i < before.size(); i++) {
      Map<String, Object> o = JsonTrees.copyMap(before.get(i).object());
      Map<String, Object> meta = JsonTrees.mapOrCreate(o, "metadata");
      Map<String, Object> a = new LinkedHashMap<>(JsonTrees.stringMap(meta.get("annotations")));
      a.put(ID, String.valueOf(i));
      meta.put("annotations", a);
      items.add(o);
    }
    List<Resource> after = new ArrayList<>();
    for (Map<String, Object> o : invoke(items, withLocalConfig(JsonTrees.copyMap(config)))) {
      Map<String, String> annotations = JsonTrees.stringMap(JsonTrees.get(o, "metadata", "annotations"));
      String id = annotations.get(ID);
      String own = annotations.get(ORIGIN);
      Map<String, Object> clean = stripInternal(o);
      Resource r;
      int index = parseIndex(id);
      if (index >= 0 && index < before.size()) {
        r = before.get(index);
        r.setObject(clean);
      } else {
        r = new Resource(clean);
        r.setOrigin(origin);
        if (own == null) {
          created.add(r);
        }
      }
      if (own != null) {
        r.setOrigin(own);
      }
      after.add(r);
    }
    m.setAll(after);
    return created;
  }

  private List<Map<String, Object>> invoke(List<Map<String, Object>> items, Map<String, Object> functionConfig) {
    List<Object> indexed = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      Map<String, Object> o = items.get(i);
      Map<String, Object> meta = JsonTrees.mapOrCreate(o, "metadata");
      Map<String, Object> a = new LinkedHashMap<>(JsonTrees.stringMap(meta.get("annotations")));
      a.put("config.kubernetes.io/index", String.valueOf(i));
      a.put("internal.config.kubernetes.io/index", String.valueOf(i));
      meta.put("annotations", a);
      indexed.add(o);
    }
    Map<String, Object> list = new LinkedHashMap<>();
    list.put("apiVersion", "config.kubernetes.io/v1");
    list.put("kind", "ResourceList");
    list.put("items", indexed);
    list.put("functionConfig", functionConfig);
    byte[] stdout = exec.run(program, args, env, loader.root(), KYaml.dump(list).getBytes(StandardCharsets.UTF_8));
    String text = new String(stdout, StandardCharsets.UTF_8);
    List<Map<String, Object>> docs = KYaml.parseAll(text, "output of exec function " + loader.display(program));
    if (docs.size() == 1 && "ResourceList".equals(docs.get(0).get("kind"))) {
      List<Map<String, Object>> out = new ArrayList<>();
      List<Object> l = JsonTrees.list(docs.get(0), "items");
      for (Object o : l == null ? List.of() : l) {
        if (o instanceof Map<?, ?>) {
          @SuppressWarnings("unchecked")
          Map<String, Object> mo = (Map<String, Object>) o;
          out.add(mo);
        }
      }
      return out;
    }
    return docs;
  }

  /**
   * kustomize's resource.OriginFromCustomPlugin: where the config was read and its id (apiVersion when set, kind,
   * name, namespace when set).
   */
  static String customOrigin(String configuredIn, Map<String, Object> config) {
    String apiVersion = JsonTrees.string(config, "apiVersion");
    String name = JsonTrees.string(JsonTrees.map(config, "metadata"), "name");
    String namespace = JsonTrees.string(JsonTrees.map(config, "metadata"), "namespace");
    return "configuredIn: " + configuredIn + "\nconfiguredBy:\n"
        + (apiVersion == null || apiVersion.isEmpty() ? "" : "  apiVersion: " + apiVersion + "\n")
        + "  kind: " + JsonTrees.string(config, "kind") + "\n" + (name == null ? "" : "  name: " + name + "\n")
        + (namespace == null || namespace.isEmpty() ? "" : "  namespace: " + namespace + "\n");
  }

  private static Map<String, Object> withLocalConfig(Map<String, Object> o) {
    Map<String, Object> meta = JsonTrees.mapOrCreate(o, "metadata");
    Map<String, Object> a = new LinkedHashMap<>(JsonTrees.stringMap(meta.get("annotations")));
    a.put("config.kubernetes.io/local-config", "true");
    meta.put("annotations", a);
    return o;
  }

  private static Map<String, Object> stripInternal(Map<String, Object> o) {
    Map<String, Object> copy = JsonTrees.copyMap(o);
    if (copy.get("metadata") instanceof Map<?, ?> meta && meta.get("annotations") instanceof Map<?, ?> a) {
      INTERNAL.forEach(a::remove);
      if (a.isEmpty()) {
        meta.remove("annotations");
      }
    }
    return copy;
  }

  private static int parseIndex(String s) {
    try {
      return s == null ? -1 : Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static List<String> strings(Object o) {
    List<String> out = new ArrayList<>();
    if (o instanceof List<?> l) {
      l.forEach(x -> out.add(String.valueOf(x)));
    }
    return out;
  }
}

package io.conflux.kustomize.internal.build;

import io.conflux.kustomize.BuildCancelledException;
import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.internal.JsonTrees;
import io.conflux.kustomize.internal.fieldspec.TransformerConfig;
import io.conflux.kustomize.internal.generate.ConfigMapSecretGenerator;
import io.conflux.kustomize.internal.generate.GeneratorOptions;
import io.conflux.kustomize.internal.patch.Schema;
import io.conflux.kustomize.internal.resource.ResMap;
import io.conflux.kustomize.internal.resource.Resource;
import io.conflux.kustomize.yaml.DuplicateKeys;
import io.conflux.kustomize.yaml.KYaml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * Builds one kustomization directory into an {@link Accumulator} (follows
 * api/internal/target/kusttarget.go AccumulateTarget): resources (files and nested
 * kustomizations), configurations, generators, components, then the built-in transformers in
 * kustomize's order — patchesStrategicMerge, patches, namespace, namePrefix, nameSuffix, labels,
 * commonLabels, commonAnnotations, patchesJson6902, replicas, images, replacements — then the
 * {@code transformers} field, then vars are declared.
 */
public final class KustTarget {
  private final Loader loader;
  private final Kustomization kustomization;
  private final Deque<Path> stack;
  /** The build's schema, shared by every kustomization of it. */
  private final BuildSchema buildSchema;
  /** What the build may do beyond the builtins (Helm charts, exec functions); shared by every kustomization. */
  private final Extensions extensions;

  /**
   * The schema strategic merge uses in one build. Like kyaml's global openapi.SetSchema (kustomizer.go sets it from
   * the top kustomization, kusttarget.go from each one accumulated, without reset), the first kustomization
   * reached that sets {@code openapi} (a {@code path} or a {@code version}) decides it for the whole build — also
   * for the patches of the kustomizations above it, which run after their resources are accumulated.
   */
  private static final class BuildSchema {
    private Schema schema = Schema.builtin();
    private boolean set;
    /** True once a resource file was loaded: a custom schema set after that is layered over the built-in one. */
    private boolean resourcesLoaded;
  }

  /** Loads the kustomization of {@code loader}'s directory; {@code stack} holds the directories being built. */
  public KustTarget(Loader loader, Deque<Path> stack) {
    this(loader, stack, Extensions.NONE);
  }

  /** As {@link #KustTarget(Loader, Deque)}, with {@code extensions} enabled for the whole build. */
  public KustTarget(Loader loader, Deque<Path> stack, Extensions extensions) {
    this(loader, stack, new BuildSchema(), extensions);
  }

  private KustTarget(Loader loader, Deque<Path> stack, BuildSchema buildSchema, Extensions extensions) {
    this.loader = loader;
    this.extensions = java.util.Objects.requireNonNull(extensions, "extensions");
    this.stack = stack;
    this.kustomization = Kustomization.load(loader);
    this.buildSchema = buildSchema;
    Map<String, Object> openapi = kustomization.fields().openapi();
    if (!buildSchema.set && openapi != null && (openapi.containsKey("path") || openapi.containsKey("version"))) {
      buildSchema.set = true;
      String path = JsonTrees.string(openapi, "path");
      if (path != null) {
        buildSchema.schema = loadSchema(path, buildSchema.resourcesLoaded);
      }
    }
  }

  private Schema loadSchema(String path, boolean overBuiltin) {
    List<Object> docs;
    if (io.conflux.kustomize.RemoteTarget.isHttpUrl(path)) {
      // kustomize's loader reads an HTTP(S) openapi path like any file it loads (fileloader.go Load)
      if (!loader.fetchesRemotes()) {
        loader.resolve(path);
      }
      docs = KYaml.parseDocuments(loader.decodeUtf8(loader.remoteFile(path), loader.root().resolve("openapi")), path,
          null);
    } else {
      docs = KYaml.parseDocuments(loader.readText(path), loader.display(loader.resolve(path)), loader.resolve(path));
    }
    if (docs.isEmpty() || !(docs.get(0) instanceof Map<?, ?>)) {
      throw new KustomizeException(path + ": an openapi schema must be a mapping");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> doc = (Map<String, Object>) docs.get(0);
    return overBuiltin ? Schema.openApiOverBuiltin(doc) : Schema.openApi(doc);
  }

  /** The parsed kustomization. */
  public Kustomization kustomization() {
    return kustomization;
  }

  /** The loader of this kustomization's directory. */
  public Loader loader() {
    return loader;
  }

  /** Builds into a fresh accumulator. */
  public Accumulator accumulateTarget() {
    Accumulator ra = new Accumulator();
    accumulateTarget(ra);
    return ra;
  }

  /**
   * Builds into {@code ra} (components share their parent's accumulator).
   *
   * @throws KustomizeException naming the file at fault; an error not tied to a file (a var, a generator, a
   *     transformer's configuration) is named after this kustomization's file
   */
  public void accumulateTarget(Accumulator ra) {
    try {
      accumulate(ra);
    } catch (KustomizeException e) {
      throw located(e);
    }
  }

  /** {@code e}, or when it names no file, {@code e} put in this kustomization's file. */
  public KustomizeException located(KustomizeException e) {
    if (e.file().isPresent()) {
      return e;
    }
    return new KustomizeException(loader.display(kustomization.file()) + ": " + e.getMessage(),
        kustomization.file(), -1, e);
  }

  private void accumulate(Accumulator ra) {
    accumulateResources(ra);
    TransformerConfig tc = TransformerConfig.defaults();
    for (String c : kustomization.fields().configurations()) {
      String text = loader.readText(c);
      for (Object doc : KYaml.parseDocuments(text, loader.display(loader.resolve(c)), loader.resolve(c))) {
        tc.merge(doc, c);
      }
    }
    ra.config().merge(tc);
    CrdConfig.load(loader, kustomization.fields().crds(), ra.config());
    runGenerators(ra);
    accumulateComponents(ra);
    runTransformers(ra);
    runValidators(ra);
    ra.mergeVars(kustomization.fields().vars());
  }

  private void accumulateResources(Accumulator ra) {
    // nothing renames the resources already accumulated while more are loaded: one id set for the whole loop
    ResMap.Appender appender = ra.resMap().appender();
    for (String path : kustomization.fields().resources()) {
      if (Loader.isRemote(path)) {
        accumulateRemoteResource(ra, appender, path);
        continue;
      }
      Path p = loader.resolve(path);
      if (Files.isDirectory(p)) {
        refuseAbsolute("resources", path);
        KustTarget subTarget = subTarget(p, false);
        Accumulator[] sub = new Accumulator[1];
        withStack(subTarget, () -> sub[0] = subTarget.accumulateTarget());
        appendInto(ra, appender, sub[0], path);
      } else {
        for (Resource r : loadResources(path)) {
          try {
            appender.append(r);
          } catch (KustomizeException e) {
            throw new KustomizeException(loader.display(p) + ": " + e.getMessage(), p, -1, e);
          }
        }
      }
    }
  }

  /**
   * A remote resource, as kustomize's accumulateResources takes it: an HTTP(S) URL is first fetched as a file of
   * objects; when that answers outside 2xx or does not hold objects, and the URL parses as a repository, or for any
   * other remote target, the repository is cloned and the kustomization at its path is built as a base
   * (api/internal/target/kusttarget.go accumulateResources, api/internal/loader/fileloader.go Load).
   */
  private void accumulateRemoteResource(Accumulator ra, ResMap.Appender appender, String path) {
    if (!loader.fetchesRemotes()) {
      loader.resolve(path);
    }
    if (io.conflux.kustomize.RemoteTarget.isHttpUrl(path)) {
      boolean repo = io.conflux.kustomize.RemoteTarget.parse(path).isPresent();
      try {
        byte[] body = loader.remoteFile(path);
        List<Resource> objects = parseResources(loader.decodeUtf8(body, loader.root().resolve("remote")), path, null,
            "path: " + path + "\n");
        for (Resource r : objects) {
          appender.append(r);
        }
        return;
      } catch (io.conflux.kustomize.RemoteFetcher.HttpStatusException e) {
        if (!repo) {
          throw new KustomizeException(loader.display(kustomization.file()) + ": resource '" + path + "': "
              + e.getMessage(), kustomization.file(), -1, e);
        }
      } catch (KustomizeException e) {
        if (!repo) {
          throw new KustomizeException(loader.display(kustomization.file()) + ": resource '" + path + "': "
              + e.getMessage(), kustomization.file(), -1, e);
        }
      }
    }
    KustTarget sub = subTarget(loader.remoteChild(path), false);
    Accumulator[] acc = new Accumulator[1];
    withStack(sub, () -> acc[0] = sub.accumulateTarget());
    appendInto(ra, appender, acc[0], path);
  }

  /**
   * Refuses an absolute directory, as kustomize's loader does for every new root whatever the load restrictions
   * (api/internal/loader/fileloader.go New: "new root '…' cannot be absolute").
   */
  private void refuseAbsolute(String field, String path) {
    if (loader.root().getFileSystem().getPath(path).isAbsolute()) {
      throw new KustomizeException(loader.display(kustomization.file()) + ": " + field + ": new root '" + path
          + "' cannot be absolute (kustomize takes directories relative to the kustomization only)",
          kustomization.file(), -1, null);
    }
  }

  private void appendInto(Accumulator ra, ResMap.Appender appender, Accumulator sub, String path) {
    try {
      appender.appendAll(sub.resMap());
    } catch (KustomizeException e) {
      throw new KustomizeException("accumulating resources from '" + path + "': " + e.getMessage(), e);
    }
    ra.mergeAccumulatedVars(sub.vars());
    ra.config().merge(sub.config());
  }

  private KustTarget subTarget(Path dir, boolean component) {
    return subTarget(loader.child(dir), component);
  }

  private KustTarget subTarget(Loader child, boolean component) {
    Path dir = child.root();
    Path real = child.root();
    for (Path visited : stack) {
      if (visited.equals(real)) {
        throw new KustomizeException("cycle detected: '" + loader.display(real) + "' includes itself");
      }
    }
    KustTarget sub = new KustTarget(child, stack, buildSchema, extensions);
    if (component && !sub.kustomization.isComponent()) {
      throw new KustomizeException("expected kind 'Component' for path '" + loader.display(dir)
          + "' but got 'Kustomization'");
    }
    if (!component && sub.kustomization.isComponent()) {
      throw new KustomizeException("expected kind != 'Component' for path '" + loader.display(dir) + "'");
    }
    return sub;
  }

  /** Loads the objects of a resource file, with origin. */
  private List<Resource> loadResources(String path) {
    Path p = loader.checkedFile(path);
    BuildCancelledException.checkpoint(loader.display(p));
    buildSchema.resourcesLoaded = true;
    String text = loader.readText(path);
    return parseResources(text, loader.display(p), p, "path: " + loader.relativeToBuildRoot(p) + "\n"
        + loader.originRepo());
  }

  /** The objects of one resource file's text, validated, with origin; {@code p} is null for a remote file. */
  private List<Resource> parseResources(String text, String display, Path p, String origin) {
    List<Resource> out = new ArrayList<>();
    List<Map<String, Object>> objects = KYaml.parseAll(text, display, p);
    DuplicateKeys.check(text, display, p);
    for (Map<String, Object> obj : objects) {
      Resource r = new Resource(obj);
      if (JsonTrees.get(r.object(), "metadata", "annotations") instanceof Map<?, ?>) {
        r.setAnnotations(r.annotations());
      } else if (r.object().get("metadata") instanceof Map<?, ?> meta && meta.containsKey("annotations")
          && meta.get("annotations") == null) {
        // kustomize's resource factory drops a null annotations field (labels: null is kept), as kubectl kustomize v1.35
        meta.remove("annotations");
      }
      validate(r, display, p);
      r.setOrigin(origin);
      out.add(r);
    }
    return out;
  }

  private void validate(Resource r, String display, Path p) {
    if (r.kind().isEmpty()) {
      throw new KustomizeException(display + ": missing Resource metadata: an object has no 'kind'", p, -1, null);
    }
    if (r.name().isEmpty() && JsonTrees.string(JsonTrees.map(r.object(), "metadata"), "generateName") == null) {
      throw new KustomizeException(display + ": missing metadata.name in object of kind " + r.kind(), p, -1,
          null);
    }
  }

  private void accumulateComponents(Accumulator ra) {
    for (String path : kustomization.fields().components()) {
      if (Loader.isRemote(path)) {
        KustTarget sub = subTarget(loader.remoteChild(path), true);
        withStack(sub, () -> sub.accumulateTarget(ra));
        continue;
      }
      Path p = loader.resolve(path);
      refuseAbsolute("components", path);
      if (!Files.isDirectory(p)) {
        throw new KustomizeException("component '" + path + "' must be a directory holding a kustomization of kind "
            + "Component");
      }
      KustTarget sub = subTarget(p, true);
      withStack(sub, () -> sub.accumulateTarget(ra));
    }
  }

  private void withStack(KustTarget sub, Runnable r) {
    stack.push(sub.loader.root());
    try {
      r.run();
    } finally {
      stack.pop();
    }
  }

  private void runGenerators(Accumulator ra) {
    GeneratorOptions global = GeneratorOptions.of(kustomization.fields().generatorOptions());
    String configuredIn = loader.relativeToBuildRoot(kustomization.file());
    for (Map<String, Object> args : kustomization.fields().configMapGenerator()) {
      absorb(ra, ConfigMapSecretGenerator.generate(loader, "ConfigMap", args, global),
          generatorOrigin(configuredIn, "ConfigMapGenerator", null));
    }
    for (Map<String, Object> args : kustomization.fields().secretGenerator()) {
      absorb(ra, ConfigMapSecretGenerator.generate(loader, "Secret", args, global),
          generatorOrigin(configuredIn, "SecretGenerator", null));
    }
    Map<String, Object> helmGlobals = new java.util.LinkedHashMap<>();
    List<Map<String, Object>> charts = HelmCharts.charts(kustomization.fields(), helmGlobals);
    if (!charts.isEmpty()) {
      if (extensions.chartInflator() == null) {
        throw new KustomizeException(loader.display(kustomization.file())
            + ": helmCharts are not inflated in this build (kustomize: must specify --enable-helm; `conflux kustomize"
            + " build --enable-helm` inflates them, Flux and Conflux's services do not: use a HelmRelease)",
            kustomization.file(), -1, null);
      }
      HelmCharts helm = new HelmCharts(loader, kustomization.file(), extensions.chartInflator());
      for (Map<String, Object> chart : charts) {
        BuildCancelledException.checkpoint(configuredIn + " (HelmChartInflationGenerator)");
        for (Resource r : helm.inflate(chart, helmGlobals)) {
          absorb(ra, r, generatorOrigin(configuredIn, "HelmChartInflationGenerator", null));
        }
      }
    }
    for (PluginConfig pc : pluginConfigs("generators")) {
      if (ExecFunction.isFunction(pc.config())) {
        for (Resource r : execFunction(pc).generate()) {
          absorb(ra, r, r.origin());
        }
        continue;
      }
      if (!isBuiltin(pc.config())) {
        for (Resource r : execPlugin(pc).generate()) {
          absorb(ra, r, r.origin());
        }
        continue;
      }
      for (Resource r : BuiltinPlugins.generate(loader, pc.config(), pc.origin())) {
        absorb(ra, r, r.origin());
      }
    }
  }

  /** A builtin generator's origin (kustomize's resource.Origin): repo and ref in a remote root, then configuredIn/By. */
  private String generatorOrigin(String configuredIn, String kind, String name) {
    return loader.originRepo() + "configuredIn: " + configuredIn + "\nconfiguredBy:\n  apiVersion: builtin\n  kind: " + kind + "\n"
        + (name == null ? "" : "  name: " + name + "\n");
  }

  private static void absorb(Accumulator ra, Resource r, String origin) {
    r.setOrigin(origin);
    ResMap one = new ResMap();
    one.append(r);
    ra.resMap().absorbAll(one);
  }

  /** A plugin configuration object and where it was configured. */
  record PluginConfig(Map<String, Object> config, String origin) {}

  /** The configs of the generators, transformers or validators field: files, directories (built) or inline YAML. */
  private List<PluginConfig> pluginConfigs(String field) {
    List<PluginConfig> out = new ArrayList<>();
    List<String> entries = switch (field) {
      case "generators" -> kustomization.fields().generators();
      case "validators" -> kustomization.fields().validators();
      default -> kustomization.fields().transformers();
    };
    for (String entry : entries) {
      if (entry.contains("\n") || entry.contains(": ")) {
        for (Map<String, Object> c : KYaml.parseAll(entry, loader.display(kustomization.file()) + " (inline " + field
            + ")", kustomization.file())) {
          out.add(new PluginConfig(c, loader.relativeToBuildRoot(kustomization.file())));
        }
        continue;
      }
      Path p = loader.resolve(entry);
      if (Files.isDirectory(p)) {
        KustTarget sub = subTarget(p, false);
        Accumulator[] holder = new Accumulator[1];
        withStack(sub, () -> holder[0] = sub.accumulateTarget());
        for (Resource r : holder[0].resMap().resources()) {
          String in = r.origin() != null && r.origin().startsWith("path: ")
              ? r.origin().substring(6).split("\n", 2)[0].trim() : loader.relativeToBuildRoot(p);
          out.add(new PluginConfig(r.object(), in));
        }
      } else {
        Path f = loader.checkedFile(entry);
        for (Map<String, Object> c : KYaml.parseAll(loader.readText(entry), loader.display(f), f)) {
          out.add(new PluginConfig(c, loader.relativeToBuildRoot(f)));
        }
      }
    }
    return out;
  }

  /** The KRM function a generators/transformers entry configures (refused unless exec functions are enabled). */
  private ExecFunction execFunction(PluginConfig pc) {
    return ExecFunction.of(loader, kustomization.file(), pc.config(), pc.origin(), extensions.execFunctions());
  }

  /**
   * kustomize's loader isBuiltinPlugin: the config's group is empty and its version is {@code builtin} (any other
   * config is an external plugin: a legacy exec plugin, or refused).
   */
  private static boolean isBuiltin(Map<String, Object> config) {
    return "builtin".equals(JsonTrees.string(config, "apiVersion"));
  }

  /** The legacy exec plugin a non-builtin entry names (refused unless exec plugins are enabled). */
  private ExecPlugin execPlugin(PluginConfig pc) {
    return ExecPlugin.of(loader, kustomization.file(), pc.config(), pc.origin(), extensions.execPlugins());
  }

  /**
   * The validators field, after the transformers (kustomize's runValidators): each entry is a legacy exec plugin
   * ({@link ExecPlugin#validate}; refused unless exec plugins are enabled, as kustomize refuses external plugins
   * without {@code --enable-alpha-plugins}). Builtin configs and KRM functions are refused as validators.
   */
  private void runValidators(Accumulator ra) {
    for (PluginConfig pc : pluginConfigs("validators")) {
      BuildCancelledException.checkpoint(pc.origin() + " (" + JsonTrees.string(pc.config(), "kind") + ")");
      if (isBuiltin(pc.config()) || ExecFunction.isFunction(pc.config())) {
        throw new KustomizeException(loader.display(kustomization.file()) + ": validators: only legacy exec plugins"
            + " run as validators, not builtin transformers or KRM functions ("
            + JsonTrees.string(pc.config(), "kind") + ")", kustomization.file(), -1, null);
      }
      execPlugin(pc).validate(ra.resMap());
    }
  }

  private void runTransformers(Accumulator ra) {
    TransformerConfig tc = ra.config();
    List<BuiltinTransformers.Named> ts = BuiltinTransformers.of(loader, kustomization, tc, buildSchema.schema);
    String configuredIn = loader.relativeToBuildRoot(kustomization.file());
    for (BuiltinTransformers.Named t : ts) {
      BuildCancelledException.checkpoint(configuredIn + " (" + t.kind() + ")");
      t.transformer().transform(ra.resMap());
      recordTransformation(ra, java.util.Set.of(), loader.originRepo(), configuredIn, "builtin", t.kind(), null, null);
    }
    for (PluginConfig pc : pluginConfigs("transformers")) {
      BuildCancelledException.checkpoint(pc.origin() + " (" + JsonTrees.string(pc.config(), "kind") + ")");
      java.util.Set<Resource> generatedHere = java.util.Collections.emptySet();
      if (ExecFunction.isFunction(pc.config())) {
        generatedHere = execFunction(pc).transform(ra.resMap());
      } else if (!isBuiltin(pc.config())) {
        generatedHere = execPlugin(pc).transform(ra.resMap());
      } else {
        BuiltinPlugins.transformer(loader, loader.root(), pc.config(), tc, buildSchema.schema).transform(ra.resMap());
      }
      recordTransformation(ra, generatedHere, loader.originRepo(), pc.origin(),
          JsonTrees.string(pc.config(), "apiVersion"),
          JsonTrees.string(pc.config(), "kind"), JsonTrees.string(JsonTrees.map(pc.config(), "metadata"), "name"),
          JsonTrees.string(JsonTrees.map(pc.config(), "metadata"), "namespace"));
    }
  }

  /**
   * Notes on every resource that a transformer ran (buildMetadata: transformerAnnotations); the config's id as
   * kustomize's resource.Origin writes it: apiVersion (omitted when empty, as a KRM function config may have
   * none), kind, then name and namespace when set. Resources the transformer itself created ({@code generatedHere}:
   * a KRM function in the transformers field that outputs new objects) carry it as their origin instead, as
   * kustomize's AddTransformerAnnotation skips a resource whose origin is the transformer. In a remote root the entry
   * starts with the repository and ref ({@code repo}, the {@link Loader#originRepo()} lines).
   */
  private static void recordTransformation(Accumulator ra, java.util.Set<Resource> generatedHere, String repo,
      String configuredIn, String apiVersion, String kind, String name, String namespace) {
    String entry = "- " + repo.replace("\n", "\n  ") + "configuredIn: " + configuredIn + "\n  configuredBy:\n"
        + (apiVersion == null || apiVersion.isEmpty() ? "" : "    apiVersion: " + apiVersion + "\n")
        + "    kind: " + kind + "\n" + (name == null ? "" : "    name: " + name + "\n")
        + (namespace == null || namespace.isEmpty() ? "" : "    namespace: " + namespace + "\n");
    for (Resource r : ra.resMap().resources()) {
      if (!generatedHere.contains(r)) {
        r.transformations().add(entry);
      }
    }
  }
}

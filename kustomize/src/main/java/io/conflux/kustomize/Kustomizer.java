package io.conflux.kustomize;

import io.conflux.kustomize.internal.JsonTrees;
import io.conflux.kustomize.internal.generate.Hasher;
import io.conflux.kustomize.internal.resource.ResMap;
import io.conflux.kustomize.internal.resource.Resource;
import io.conflux.kustomize.internal.build.Accumulator;
import io.conflux.kustomize.internal.build.Extensions;
import io.conflux.kustomize.internal.build.KustTarget;
import io.conflux.kustomize.internal.build.Kustomization;
import io.conflux.kustomize.internal.build.Loader;
import io.conflux.kustomize.internal.build.Remotes;
import io.conflux.kustomize.internal.transform.LegacyOrder;
import io.conflux.kustomize.internal.transform.NameReferenceTransformer;
import io.conflux.kustomize.internal.transform.RefVarTransformer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code kustomize build} in plain Java (kustomize v5.7 semantics; follows api/krusty/kustomizer.go
 * and api/internal/target/kusttarget.go MakeCustomizedResMap).
 *
 * <p>A build reads the directory's kustomization (kustomization.yaml, .yml or Kustomization),
 * accumulates its resources, components, generators and transformers recursively, then — once,
 * at the top — appends content hashes to generated names, fixes name references, resolves vars,
 * drops {@code config.kubernetes.io/local-config} objects and sorts (legacy order unless
 * {@code sortOptions} says fifo). Files are read only through {@link Path}, so any
 * {@link java.nio.file.FileSystem} works (e.g. Jimfs). Remote resources, components and bases ({@link RemoteTarget}
 * and HTTP(S) file URLs) are refused unless {@link #withRemoteFetcher} gives a fetcher; Helm charts, exec KRM
 * functions and legacy exec plugins only run when enabled ({@link #withChartInflator}, {@link #withExecFunctions},
 * {@link #withExecPlugins}). Instances are immutable
 * and thread-safe.
 */
public final class Kustomizer {
  /** The value kustomize writes in the managed-by label when buildMetadata asks for it. */
  public static final String MANAGED_BY = "kustomize-v5.7.1";

  private final LoadRestrictions restrictions;
  /** kustomize's {@code --reorder none} (krusty's default Options): input order unless sortOptions says otherwise. */
  private final boolean inputOrder;
  /** Fetches remote targets; null refuses them. */
  private final RemoteFetcher remoteFetcher;

  /** Helm chart inflation and exec functions, both off unless enabled. */
  private final Extensions extensions;
  /** kustomize's {@code --enable-managedby-label}: every object gets the managed-by label, as buildMetadata asks. */
  private final boolean managedByLabel;

  private Kustomizer(LoadRestrictions restrictions, boolean inputOrder, Extensions extensions,
      RemoteFetcher remoteFetcher, boolean managedByLabel) {
    this.restrictions = restrictions;
    this.inputOrder = inputOrder;
    this.extensions = extensions;
    this.remoteFetcher = remoteFetcher;
    this.managedByLabel = managedByLabel;
  }

  /**
   * A copy that adds {@code app.kubernetes.io/managed-by: }{@value #MANAGED_BY} to every object, like
   * {@code kustomize build --enable-managedby-label} (krusty Options.AddManagedbyLabel). Package-private: used by the
   * conformance runner.
   */
  Kustomizer withManagedByLabel() {
    return new Kustomizer(restrictions, inputOrder, extensions, remoteFetcher, true);
  }

  /**
   * A kustomizer with {@link LoadRestrictions#ROOT_ONLY}, like {@code kustomize build}; no Helm chart inflation, no
   * exec functions and no remote targets (what the renderer uses, as Flux's kustomize-controller, unless remote bases
   * are configured).
   */
  public static Kustomizer create() {
    return new Kustomizer(LoadRestrictions.ROOT_ONLY, false, Extensions.NONE, null, false);
  }

  /** A copy with other load restrictions ({@link LoadRestrictions#NONE} is what Flux uses). */
  public Kustomizer withLoadRestrictions(LoadRestrictions r) {
    return new Kustomizer(java.util.Objects.requireNonNull(r), inputOrder, extensions, remoteFetcher, managedByLabel);
  }

  /**
   * A copy that inflates {@code helmCharts} (and the legacy {@code helmChartInflationGenerator}) with
   * {@code inflator}, as {@code kustomize build --enable-helm}. Without it such a kustomization fails, naming the
   * file. Never used by the renderer: Flux's kustomize-controller does not enable Helm in kustomize builds.
   *
   * @param inflator renders charts (the helm module's {@code KustomizeChartInflator})
   * @return the copy
   */
  public Kustomizer withChartInflator(ChartInflator inflator) {
    return new Kustomizer(restrictions, inputOrder,
        new Extensions(java.util.Objects.requireNonNull(inflator, "inflator"), extensions.execFunctions(),
            extensions.execPlugins()),
        remoteFetcher, managedByLabel);
  }

  /**
   * A copy that runs exec KRM functions of {@code generators}/{@code transformers} entries, as {@code kustomize build
   * --enable-alpha-plugins --enable-exec}. Without it such entries fail, naming the file. Only for a user's own trees
   * ({@code conflux kustomize build}): the renderer and the services never enable it, since a tenant must not run
   * commands.
   *
   * @param exec the permission (e.g. {@link ExecFunctions#enabled})
   * @return the copy
   */
  public Kustomizer withExecFunctions(ExecFunctions exec) {
    return new Kustomizer(restrictions, inputOrder,
        new Extensions(extensions.chartInflator(), java.util.Objects.requireNonNull(exec, "exec"),
            extensions.execPlugins()), remoteFetcher, managedByLabel);
  }

  /**
   * A copy that runs kustomize's legacy exec plugins: a {@code generators}/{@code transformers} entry whose
   * {@code apiVersion} is not {@code builtin} (and that is no KRM function) runs the program
   * {@code <plugin home>/<group>/<version>/<lowercase kind>/<Kind>}, as {@code kustomize build --enable-alpha-plugins}
   * (kustomize needs no {@code --enable-exec} for these). Without it such entries fail with kustomize's
   * "external plugins disabled; unable to load external plugin" error. Only for a user's own trees
   * ({@code conflux kustomize build}): the renderer and the services never enable it.
   *
   * @param plugins the permission and the plugin home ({@link ExecPlugins#fromEnvironment})
   * @return the copy
   */
  public Kustomizer withExecPlugins(ExecPlugins plugins) {
    return new Kustomizer(restrictions, inputOrder,
        new Extensions(extensions.chartInflator(), extensions.execFunctions(),
            java.util.Objects.requireNonNull(plugins, "plugins")), remoteFetcher, managedByLabel);
  }

  /**
   * A copy that fetches remote resources, components and bases through {@code fetcher} (kustomize always does;
   * Flux's kustomize-controller does unless started with {@code --no-remote-bases}); each build clones a
   * repository at most once and deletes its clones when it ends. A kustomization inside a clone is root-only and may
   * not reference directories outside the clone. {@code null} refuses remote targets again (the default), with an
   * error naming the kustomization and the target.
   */
  public Kustomizer withRemoteFetcher(RemoteFetcher fetcher) {
    return new Kustomizer(restrictions, inputOrder, extensions, fetcher, managedByLabel);
  }

  /**
   * A copy that keeps the depth-first input order when the kustomization has no {@code sortOptions}, like
   * {@code kustomize build --reorder none} and krusty's {@code MakeDefaultOptions} (follows api/krusty/kustomizer.go
   * applySortOrder). Package-private: used by the conformance runner for kustomize's own test expectations.
   */
  Kustomizer withInputOrder() {
    return new Kustomizer(restrictions, true, extensions, remoteFetcher, managedByLabel);
  }

  /**
   * Builds a kustomization directory.
   *
   * @param kustomizationDir a directory holding a kustomization file
   * @return the objects in kustomize's output order
   * @throws KustomizeException when the build fails (message names the file, and line when known);
   *     never returns a partial result
   * @throws BuildCancelledException when the calling thread is interrupted during the build (checked at each
   *     resource file, transformer, patched resource and every 1,024 YAML events)
   */
  public ResourceList build(Path kustomizationDir) {
    if (!Files.isDirectory(kustomizationDir)) {
      throw new KustomizeException("'" + kustomizationDir + "' is not a directory", kustomizationDir, -1, null);
    }
    try {
      return doBuild(kustomizationDir);
    } catch (BuildCancelledException e) {
      throw e;
    } catch (KustomizeException e) {
      // an interrupted read (Jimfs, NIO channels) fails with ClosedByInterruptException: the build was cancelled
      throw Thread.currentThread().isInterrupted() ? new BuildCancelledException(e.getMessage(), e) : e;
    } catch (RuntimeException | StackOverflowError e) {
      throw new KustomizeException("kustomize build of '" + kustomizationDir + "' failed: " + e, e);
    }
  }

  /**
   * Builds a remote kustomization root, as {@code kustomize build URL} (api/krusty/kustomizer.go Run with a remote
   * target; kustomize's URL forms, {@link RemoteTarget}): the repository is cloned through the remote fetcher and the
   * kustomization at the target's path is built, root-only and confined to the clone, as a remote base is.
   *
   * @param target a remote target, e.g. {@code https://github.com/org/repo//path?ref=v1}
   * @return the objects in kustomize's output order
   * @throws KustomizeException when no remote fetcher is set ({@link #withRemoteFetcher}), the target does not parse
   *     or fails to clone, or the build fails
   * @throws BuildCancelledException when the calling thread is interrupted during the build
   */
  public ResourceList buildRemote(String target) {
    if (remoteFetcher == null) {
      throw new KustomizeException("remote target '" + target + "': this build does not fetch remote targets"
          + " (Kustomizer.withRemoteFetcher)");
    }
    try (Remotes remotes = new Remotes(remoteFetcher)) {
      Path here = Path.of("").toAbsolutePath();
      return buildWith(new Loader(here, here, restrictions, remotes).remoteChild(target));
    } catch (KustomizeException e) {
      throw e;
    } catch (RuntimeException | StackOverflowError e) {
      throw new KustomizeException("kustomize build of '" + target + "' failed: " + e, e);
    }
  }

  private ResourceList doBuild(Path dir) {
    try (Remotes remotes = remoteFetcher == null ? null : new Remotes(remoteFetcher)) {
      return buildWith(new Loader(dir, dir, restrictions, remotes));
    }
  }

  private ResourceList buildWith(Loader loader) {
    Deque<Path> stack = new ArrayDeque<>();
    stack.push(loader.root());
    KustTarget kt = new KustTarget(loader, stack, extensions);
    checkOpenApi(kt.kustomization());
    Accumulator ra = kt.accumulateTarget();
    try {
      return finish(kt, ra, inputOrder, managedByLabel);
    } catch (KustomizeException e) {
      throw kt.located(e);
    }
  }

  /** The steps done once at the top: hash suffixes, name references, vars, local-config removal, order. */
  private static ResourceList finish(KustTarget kt, Accumulator ra, boolean inputOrder, boolean managedByLabel) {
    ResMap m = ra.resMap();
    for (Resource r : m.resources()) {
      if (r.needsHashSuffix()) {
        String hash = Hasher.hash(r.object());
        r.storePreviousId();
        r.setName(r.name() + "-" + hash);
      }
    }
    new NameReferenceTransformer(ra.config().nameReference()).transform(m);
    new RefVarTransformer(ra.vars(), ra.config().get("varReference")).transform(m);
    List<Resource> kept = new ArrayList<>();
    for (Resource r : m.resources()) {
      if (!"true".equals(r.annotations().get("config.kubernetes.io/local-config"))) {
        kept.add(r);
      }
    }
    m.setAll(kept);
    sort(kt.kustomization(), m, inputOrder);
    List<String> buildMetadata = kt.kustomization().fields().buildMetadata();
    List<Map<String, Object>> out = new ArrayList<>();
    for (Resource r : m.resources()) {
      if (buildMetadata.contains("originAnnotations") && r.origin() != null) {
        Map<String, String> a = new LinkedHashMap<>(r.annotations());
        a.put("config.kubernetes.io/origin", r.origin());
        r.setAnnotations(a);
      }
      if (buildMetadata.contains("transformerAnnotations") && !r.transformations().isEmpty()) {
        Map<String, String> a = new LinkedHashMap<>(r.annotations());
        a.put("alpha.config.kubernetes.io/transformations", String.join("", r.transformations()));
        r.setAnnotations(a);
      }
      if (managedByLabel || buildMetadata.contains("managedByLabel")) {
        Map<String, String> l = new LinkedHashMap<>(r.labels());
        l.put("app.kubernetes.io/managed-by", MANAGED_BY);
        r.setLabels(l);
      }
      out.add(r.object());
    }
    return new ResourceList(out);
  }

  /**
   * The top kustomization's {@code openapi} field as kyaml's openapi.SetSchema takes it: a custom schema
   * ({@code path}) and a built-in {@code version} together are refused, and the only built-in version is kustomize
   * v5.7's v1.21.2.
   */
  private static void checkOpenApi(Kustomization k) {
    Map<String, Object> openapi = k.fields().openapi();
    if (openapi == null) {
      return;
    }
    boolean version = openapi.containsKey("version");
    if (openapi.containsKey("path") && version) {
      throw new KustomizeException(k.file() + ": openapi: builtin version and custom schema provided, cannot use both",
          k.file(), -1, null);
    }
    String v = JsonTrees.string(openapi, "version");
    if (version && v != null && !v.isEmpty() && !v.equals("v1.21.2")) {
      throw new KustomizeException(k.file() + ": openapi: the specified OpenAPI version is not built in (" + v
          + "; kustomize v5.7 has v1.21.2)", k.file(), -1, null);
    }
  }

  private static void sort(Kustomization k, ResMap m, boolean inputOrder) {
    Map<String, Object> sortOptions = k.fields().sortOptions();
    if (sortOptions == null && inputOrder) {
      return;
    }
    String order = sortOptions == null ? "legacy" : JsonTrees.string(sortOptions, "order");
    if (sortOptions != null) {
      // as plugin/builtin/sortordertransformer validate()
      if (!"fifo".equals(order) && !"legacy".equals(order)) {
        throw new KustomizeException(k.file() + ": the field 'sortOptions.order' must be one of [fifo, legacy]",
            k.file(), -1, null);
      }
      if ("fifo".equals(order) && sortOptions.get("legacySortOptions") != null) {
        throw new KustomizeException(k.file() + ": the field 'sortOptions.legacySortOptions' is set but the selected"
            + " sort order is 'fifo', not 'legacy'", k.file(), -1, null);
      }
    }
    if ("fifo".equals(order)) {
      return;
    }
    Map<String, Object> legacy = sortOptions == null ? null : JsonTrees.map(sortOptions, "legacySortOptions");
    if (legacy != null) {
      new LegacyOrder(strings(legacy.get("orderFirst")), strings(legacy.get("orderLast"))).transform(m);
    } else {
      LegacyOrder.defaults().transform(m);
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

package io.conflux.helm;

import com.marcnuri.helm.Helm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code helm template} through helm-java's embedded Helm (a Helm v3 library loaded as a native library;
 * no {@code helm} binary, no cluster): renders a chart with a release name, namespace and values, and
 * returns the objects of the release manifest the way a Flux {@code HelmRelease} install would create them.
 *
 * <ul>
 *   <li>Objects come in Helm's manifest order (Helm's install order by kind, then by template file).</li>
 *   <li>Hooks ({@code helm.sh/hook} annotation, including {@code test} hooks) are kept apart from the manifest
 *       ({@link Release#hooks()}): Helm keeps them out of the release manifest and runs them separately;
 *       {@link #template} leaves them out. helm-java prints no hooks, so they are rendered from a copy of the
 *       chart that hides the annotation from Helm ({@link DeferredHooks}); like the manifest, they come in Helm's
 *       install order by kind.</li>
 *   <li>With {@code includeCrds} (the default), the chart's {@code crds/} files (and its subcharts') come
 *       first, as helm-controller installs them before the release ({@code install.crds: Create}). CRDs of
 *       subcharts disabled by their {@code condition} or {@code tags} are left out, as Helm does.</li>
 *   <li>{@code .Capabilities.KubeVersion} is {@link #DEFAULT_KUBE_VERSION} unless set otherwise (the
 *       embedded Helm alone would say v1.20.0 and fail charts requiring newer Kubernetes); API versions are
 *       Helm's built-in defaults, as with {@code helm template} without a cluster.</li>
 *   <li>Objects are as Helm prints them: most charts set no {@code metadata.namespace}, and Helm (so Flux)
 *       creates such namespaced objects in the release namespace; the caller, who knows which kinds are
 *       namespaced, sets it before applying.</li>
 *   <li>Charts must carry their dependencies under {@code charts/} (as packaged charts do); nothing is
 *       downloaded.</li>
 * </ul>
 *
 * <p>Thread-safe; renders are serialized through one lock because the embedded Helm keeps process-wide
 * state. The first render in a JVM extracts and loads the native library (about a second).
 */
public final class ChartRenderer {

  /** The Kubernetes version charts see by default: the one of the reference Helm v4's {@code helm template}. */
  public static final String DEFAULT_KUBE_VERSION = "v1.35.0";

  private static final Object HELM_LOCK = new Object();

  private final String kubeVersion;
  private final boolean includeCrds;
  /** Prepared archives by content digest, used under {@link #HELM_LOCK}; null: every render prepares its own. */
  private final PreparedCharts prepared;

  /** A renderer with {@link #DEFAULT_KUBE_VERSION} that includes CRDs. */
  public ChartRenderer() {
    this(DEFAULT_KUBE_VERSION, true);
  }

  /**
   * @param kubeVersion the Kubernetes version charts see ({@code .Capabilities.KubeVersion}, checked against
   *     a chart's {@code kubeVersion}), e.g. {@code v1.31.0}
   * @param includeCrds whether the chart's {@code crds/} objects are returned first
   */
  public ChartRenderer(String kubeVersion, boolean includeCrds) {
    this(kubeVersion, includeCrds, 0);
  }

  /**
   * A renderer that keeps what it prepares from a packaged chart ({@code .tgz}: the unpacked, hook-rewritten copy and
   * the files read for CRDs and metadata) for the next render of an archive of the same SHA-256 and capabilities, so
   * that N releases of one chart version unpack it once; see {@link PreparedCharts}.
   *
   * @param kubeVersion as {@link #ChartRenderer(String, boolean)}
   * @param includeCrds as {@link #ChartRenderer(String, boolean)}
   * @param preparedCharts how many prepared archives are kept (least recently used evicted, its copy deleted); 0
   *     keeps none
   * @throws IllegalArgumentException when {@code preparedCharts} is negative
   */
  public ChartRenderer(String kubeVersion, boolean includeCrds, int preparedCharts) {
    this.kubeVersion = Objects.requireNonNull(kubeVersion, "kubeVersion");
    this.includeCrds = includeCrds;
    if (preparedCharts < 0) {
      throw new IllegalArgumentException("preparedCharts must not be negative: " + preparedCharts);
    }
    this.prepared = preparedCharts == 0 ? null : new PreparedCharts(preparedCharts);
  }

  /**
   * What one render produced, kept apart the way Helm keeps them: the chart's {@code crds/} objects (installed
   * before the release and never post-rendered) and the release manifest (what post-renderers see).
   *
   * @param crds the {@code crds/} objects of the chart and its enabled subcharts; empty unless {@code includeCrds}
   * @param manifest the objects of the release manifest, in Helm's manifest order, hooks excluded
   * @param hooks the hook objects (annotation {@code helm.sh/hook}, test hooks included) in Helm's manifest order
   * @param chartMetadata the chart's {@code Chart.yaml} as a tree (empty when it has none)
   * @param chartValues the chart's default values ({@code values.yaml} as a tree; empty when it has none)
   */
  public record Release(List<Map<String, Object>> crds, List<Map<String, Object>> manifest,
      List<Map<String, Object>> hooks, Map<String, Object> chartMetadata, Map<String, Object> chartValues) {

    /** @return the CRDs followed by the manifest, the order helm-controller installs them in */
    public List<Map<String, Object>> all() {
      List<Map<String, Object>> out = new ArrayList<>(crds);
      out.addAll(manifest);
      return out;
    }
  }

  /**
   * Renders a chart.
   *
   * @param chart a packaged chart ({@code .tgz}) or a chart directory
   * @param releaseName the release name ({@code .Release.Name}); see {@link ReleaseNames#of}
   * @param namespace the release namespace ({@code .Release.Namespace}: the HelmRelease's
   *     {@code targetNamespace}, else its own namespace)
   * @param values the user values (e.g. from {@link HelmValues#merge}), coalesced over the chart's
   *     {@code values.yaml}; null for none
   * @return the objects, as JSON-compatible maps (String keys; Integer/Long/Double/Boolean/String/null
   *     leaves; Lists and Maps), in manifest order, hooks excluded
   * @throws HelmException naming the chart when it is missing, does not load or does not render (template
   *     errors, failed {@code required}/{@code fail}, {@code kubeVersion} mismatch, invalid YAML output)
   */
  public List<Map<String, Object>> template(Path chart, String releaseName, String namespace,
      Map<String, Object> values) {
    return render(chart, releaseName, namespace, values).all();
  }

  /**
   * As {@link #template}, with the {@code crds/} objects kept apart from the release manifest.
   *
   * @return the render; both lists are JSON-compatible maps as {@link #template} describes
   * @throws HelmException as {@link #template}
   */
  public Release render(Path chart, String releaseName, String namespace, Map<String, Object> values) {
    return render(chart, releaseName, namespace, values, Capabilities.DEFAULT);
  }

  /**
   * As {@link #render(Path, String, String, Map)}, for a cluster of the given capabilities: its
   * {@code KubeVersion} (instead of this renderer's) and its {@code APIVersions} ({@link Capabilities}).
   *
   * @param capabilities the target cluster's, or {@link Capabilities#DEFAULT}
   * @return the render
   * @throws HelmException as {@link #template}
   */
  public Release render(Path chart, String releaseName, String namespace, Map<String, Object> values,
      Capabilities capabilities) {
    Objects.requireNonNull(capabilities, "capabilities");
    Objects.requireNonNull(chart, "chart");
    Objects.requireNonNull(releaseName, "releaseName");
    Objects.requireNonNull(namespace, "namespace");
    String what = "chart " + chart + " (release " + releaseName + " in namespace " + namespace + ")";
    if (!Files.exists(chart)) {
      throw new HelmException("failed to render " + what + ": no such file or directory");
    }
    String manifest;
    ChartFiles files = null;
    Path valuesFile = null;
    Path work = null;
    try {
      valuesFile = Files.createTempFile("conflux-helm-values-", ".yaml");
      Files.writeString(valuesFile, Yaml.json(values == null ? Map.of() : values), StandardCharsets.UTF_8);
      boolean cached = prepared != null && Files.isRegularFile(chart);
      Path rendered = null;
      if (!cached) {
        work = Files.createTempDirectory("conflux-helm-hooks-");
        rendered = DeferredHooks.prepare(chart, work, capabilities).orElse(chart);
      }
      synchronized (HELM_LOCK) {
        if (cached) {
          PreparedCharts.Prepared p = prepared.get(chart, capabilities);
          rendered = p.rendered() == null ? chart : p.rendered();
          files = p.files();
        }
        manifest = new Helm(rendered.toAbsolutePath()).template()
            .withName(releaseName)
            .withNamespace(namespace)
            .withKubeVersion(capabilities.kubeVersion() == null ? kubeVersion : capabilities.kubeVersion())
            .withValuesFile(valuesFile)
            .call();
      }
    } catch (IOException e) {
      throw new HelmException("failed to render " + what + ": " + e.getMessage(), e);
    } catch (IllegalStateException e) {
      throw new HelmException("failed to render " + what + ": " + String.valueOf(e.getMessage()).strip(), e);
    } finally {
      if (work != null) {
        DeferredHooks.delete(work);
      }
      if (valuesFile != null) {
        try {
          Files.deleteIfExists(valuesFile);
        } catch (IOException ignored) {
          // a leftover temp file is harmless
        }
      }
    }
    List<Map<String, Object>> crds = new ArrayList<>();
    if (files == null) {
      try {
        files = ChartFiles.read(chart);
      } catch (IOException | RuntimeException e) {
        if (e instanceof HelmException) {
          throw (HelmException) e;
        }
        throw new HelmException("failed to read " + what + ": " + e.getMessage(), e);
      }
    }
    if (includeCrds) {
      try {
        for (Map.Entry<String, byte[]> crd : files.crds(values == null ? Map.of() : values)) {
          addObjects(crds, new String(crd.getValue(), StandardCharsets.UTF_8), what + ", file " + crd.getKey());
        }
      } catch (IOException | RuntimeException e) {
        if (e instanceof HelmException) {
          throw (HelmException) e;
        }
        throw new HelmException("failed to read the CRDs of " + what + ": " + e.getMessage(), e);
      }
    }
    List<Map<String, Object>> objects = new ArrayList<>();
    List<Map<String, Object>> hooks = new ArrayList<>();
    addObjects(objects, hooks, manifest, what);
    return new Release(List.copyOf(crds), List.copyOf(objects), List.copyOf(hooks), files.metadata(),
        files.defaultValues());
  }

  private static void addObjects(List<Map<String, Object>> out, String yaml, String what) {
    addObjects(out, out, yaml, what);
  }

  private static void addObjects(List<Map<String, Object>> out, List<Map<String, Object>> hooks, String yaml,
      String what) {
    List<Object> docs;
    try {
      docs = Yaml.loadAll(yaml);
    } catch (RuntimeException e) {
      // The output holds values from valuesFrom Secrets: the position only, not snakeyaml's quoted snippet.
      throw new HelmException("failed to parse the output of " + what + ": " + YamlErrors.describe(e));
    }
    for (Object doc : docs) {
      if (doc == null) {
        continue;
      }
      if (!(doc instanceof Map<?, ?> map)) {
        throw new HelmException("the output of " + what + " has a document that is not an object but a "
            + (doc instanceof List<?> ? "sequence" : "scalar") + " (content not shown)");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> object = (Map<String, Object>) map;
      if (object.isEmpty()) {
        continue;
      }
      if (DeferredHooks.isDeferred(object)) {
        hooks.add(DeferredHooks.restore(object));
      } else if (isHook(object)) {
        hooks.add(object);
      } else {
        out.add(object);
      }
    }
  }

  private static boolean isHook(Map<String, Object> object) {
    return object.get("metadata") instanceof Map<?, ?> metadata
        && metadata.get("annotations") instanceof Map<?, ?> annotations
        && annotations.containsKey("helm.sh/hook");
  }
}

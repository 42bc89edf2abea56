package io.conflux.kustomize.internal.build;

import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.internal.JsonTrees;
import io.conflux.kustomize.yaml.KYaml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed kustomization file with legacy fields folded into their successors (follows
 * api/types/kustomization.go FixKustomization): {@code bases} join {@code resources},
 * {@code imageTags} join {@code images}.
 */
public final class Kustomization {
  /** File names kustomize recognises, in its order of preference. */
  public static final List<String> FILE_NAMES = List.of("kustomization.yaml", "kustomization.yml", "Kustomization");

  private final Map<String, Object> fields;
  private final Path file;
  /** The file as named in messages (relative to the build root), e.g. {@code base/kustomization.yaml}. */
  private final String name;
  /** The typed fields, set at the end of {@link #load}. */
  private Fields typed;

  private Kustomization(Map<String, Object> fields, Path file, String name) {
    this.fields = fields;
    this.file = file;
    this.name = name;
  }

  /**
   * Loads the kustomization of a directory.
   *
   * @throws KustomizeException when there is none, several, it does not parse, is not UTF-8, or (under
   *     {@link io.conflux.kustomize.LoadRestrictions#ROOT_ONLY}) is a symbolic link to a file outside the
   *     directory (kustomize's "security; file ... is not in or below ...")
   */
  public static Kustomization load(Loader loader) {
    Path dir = loader.root();
    List<Path> found = new ArrayList<>();
    for (String n : FILE_NAMES) {
      Path p = dir.resolve(n);
      if (Files.isRegularFile(p)) {
        found.add(p);
      }
    }
    if (found.isEmpty()) {
      throw new KustomizeException("unable to find one of 'kustomization.yaml', 'kustomization.yml' or "
          + "'Kustomization' in directory '" + loader.display(dir) + "'", dir, -1, null);
    }
    if (found.size() > 1) {
      throw new KustomizeException("Found multiple kustomization files under: " + loader.display(dir), dir, -1, null);
    }
    Path file = found.get(0);
    // Through the loader, as kustomize's loadKustFile reads it through the load restrictor: a symlinked
    // kustomization file pointing out of the directory is refused, and its text must be UTF-8.
    String text = loader.readText(file.getFileName().toString());
    List<Object> docs = KYaml.parseDocuments(text, loader.display(file), file);
    Map<String, Object> fields;
    if (docs.isEmpty()) {
      fields = new LinkedHashMap<>();
    } else if (docs.size() == 1 && docs.get(0) instanceof Map<?, ?>) {
      @SuppressWarnings("unchecked")
      Map<String, Object> m = (Map<String, Object>) docs.get(0);
      fields = m;
    } else {
      throw new KustomizeException(loader.display(file) + ": a kustomization must be a single YAML mapping", file, -1, null);
    }
    Kustomization k = new Kustomization(fields, file, loader.display(file));
    k.fix(loader);
    // after fix(): unknown fields are refused before the file is read a second time
    Yaml11Fields.apply(text, loader.display(file), file, fields);
    k.typed = k.read();
    return k;
  }

  private static final List<String> FIELDS = List.of("apiVersion", "kind", "metadata", "resources", "bases",
      "components", "crds", "configurations", "generators", "transformers", "validators", "namespace", "namePrefix",
      "nameSuffix", "commonLabels", "labels", "commonAnnotations", "patches", "patchesStrategicMerge",
      "patchesJson6902", "images", "imageTags", "replicas", "replacements", "vars", "configMapGenerator",
      "secretGenerator", "generatorOptions", "sortOptions", "buildMetadata", "openapi", "helmCharts", "helmGlobals",
      "helmChartInflationGenerator");

  /** Go's encoding/json matches field names case-insensitively: so does this. */
  private void normalizeKeys() {
    for (String key : new ArrayList<>(fields.keySet())) {
      if (FIELDS.contains(key)) {
        continue;
      }
      for (String f : FIELDS) {
        if (f.equalsIgnoreCase(key)) {
          Object v = fields.remove(key);
          fields.putIfAbsent(f, v);
        }
      }
    }
  }

  private void fix(Loader loader) {
    normalizeKeys();
    for (String key : fields.keySet()) {
      if (!FIELDS.contains(key)) {
        throw new KustomizeException(loader.display(file) + ": invalid Kustomization: json: unknown field \"" + key
            + "\"", file, -1, null);
      }
    }
    String kind = JsonTrees.string(fields, "kind");
    String apiVersion = JsonTrees.string(fields, "apiVersion");
    if (kind != null && !kind.isEmpty() && !kind.equals("Kustomization") && !kind.equals("Component")) {
      throw new KustomizeException(loader.display(file) + ": kind should be Kustomization or Component", file, -1, null);
    }
    if ("Component".equals(kind)) {
      if (apiVersion != null && !apiVersion.isEmpty() && !apiVersion.equals("kustomize.config.k8s.io/v1alpha1")) {
        throw new KustomizeException(loader.display(file)
            + ": apiVersion for Component should be kustomize.config.k8s.io/v1alpha1", file, -1, null);
      }
    } else if (apiVersion != null && !apiVersion.isEmpty() && !apiVersion.equals("kustomize.config.k8s.io/v1beta1")) {
      throw new KustomizeException(loader.display(file)
          + ": apiVersion for Kustomization should be kustomize.config.k8s.io/v1beta1", file, -1, null);
    }
    List<Object> bases = JsonTrees.list(fields, "bases");
    if (bases != null) {
      List<Object> res = new ArrayList<>(strings("resources"));
      res.addAll(bases);
      fields.put("resources", res);
    }
    List<Object> imageTags = JsonTrees.list(fields, "imageTags");
    if (imageTags != null) {
      List<Object> images = new ArrayList<>(maps("images"));
      images.addAll(imageTags);
      fields.put("images", images);
    }
  }

  /** The kustomization file. */
  public Path file() {
    return file;
  }

  /** The typed fields, read when the file was loaded. */
  public Fields fields() {
    return typed;
  }

  /** True for {@code kind: Component}. */
  public boolean isComponent() {
    return typed.component();
  }

  /**
   * The fields of a kustomization file, typed (follows api/types/kustomization.go's Kustomization after
   * FixKustomization: {@code bases} appended to {@code resources}, {@code imageTags} to {@code images}). Lists are
   * empty and maps empty or null when the field is absent; the entries of list-of-mapping fields keep their YAML
   * structure (read by each generator and transformer's config), with YAML 1.1 scalars already applied.
   *
   * @param component {@code kind: Component}
   * @param resources {@code resources} then {@code bases}: files, directories or URLs
   * @param components {@code components}: directories
   * @param crds {@code crds}: CRD files whose schemas add name-reference and merge-key configuration
   * @param configurations {@code configurations}: transformer configuration files
   * @param generators {@code generators}: plugin config files, directories or inline YAML
   * @param transformers {@code transformers}: likewise
   * @param validators {@code validators}: legacy exec plugins run after the transformers, which may not change the
   *     resources
   * @param namespace {@code namespace}, null when absent
   * @param namePrefix {@code namePrefix}, null when absent
   * @param nameSuffix {@code nameSuffix}, null when absent
   * @param commonLabels {@code commonLabels}, empty when absent
   * @param commonAnnotations {@code commonAnnotations}, empty when absent
   * @param labels {@code labels} entries ({@code pairs}, {@code includeSelectors}, {@code includeTemplates}, {@code fields})
   * @param patches {@code patches} entries ({@code path} or {@code patch}, {@code target}, {@code options})
   * @param patchesStrategicMerge {@code patchesStrategicMerge}: files or inline YAML
   * @param patchesJson6902 {@code patchesJson6902} entries ({@code target}, {@code path} or {@code patch})
   * @param images {@code images} then {@code imageTags} entries
   * @param replicas {@code replicas} entries ({@code name}, {@code count})
   * @param replacements {@code replacements} entries (inline or {@code path})
   * @param vars {@code vars} entries
   * @param configMapGenerator {@code configMapGenerator} entries
   * @param secretGenerator {@code secretGenerator} entries
   * @param generatorOptions {@code generatorOptions}, null when absent
   * @param sortOptions {@code sortOptions}, null when absent
   * @param buildMetadata {@code buildMetadata}: originAnnotations, transformerAnnotations, managedByLabel
   * @param openapi {@code openapi} ({@code path} or {@code version}), null when absent
   * @param helmCharts {@code helmCharts} entries (api/types/helmchartargs.go HelmChart), inflated only by a build
   *     given a {@link io.conflux.kustomize.ChartInflator}
   * @param helmGlobals {@code helmGlobals} ({@code chartHome}, {@code configHome}), null when absent
   * @param helmChartInflationGenerator the legacy {@code helmChartInflationGenerator} field (a list of
   *     HelmChartArgs), null when absent
   */
  public record Fields(boolean component, List<String> resources, List<String> components, List<String> crds,
      List<String> configurations, List<String> generators, List<String> transformers, List<String> validators,
      String namespace, String namePrefix, String nameSuffix, Map<String, String> commonLabels,
      Map<String, String> commonAnnotations, List<Map<String, Object>> labels, List<Map<String, Object>> patches,
      List<String> patchesStrategicMerge, List<Map<String, Object>> patchesJson6902, List<Map<String, Object>> images,
      List<Map<String, Object>> replicas, List<Map<String, Object>> replacements, List<Map<String, Object>> vars,
      List<Map<String, Object>> configMapGenerator, List<Map<String, Object>> secretGenerator,
      Map<String, Object> generatorOptions, Map<String, Object> sortOptions, List<String> buildMetadata,
      Map<String, Object> openapi, List<Map<String, Object>> helmCharts, Map<String, Object> helmGlobals,
      Object helmChartInflationGenerator) {}

  /** The typed view of the (fixed, YAML 1.1-read) field map; a field of the wrong shape fails the load. */
  private Fields read() {
    return new Fields("Component".equals(JsonTrees.string(fields, "kind")), strings("resources"),
        strings("components"), strings("crds"), strings("configurations"), strings("generators"),
        strings("transformers"), strings("validators"), JsonTrees.string(fields, "namespace"),
        JsonTrees.string(fields, "namePrefix"), JsonTrees.string(fields, "nameSuffix"),
        JsonTrees.stringMap(fields.get("commonLabels")), JsonTrees.stringMap(fields.get("commonAnnotations")),
        maps("labels"), maps("patches"), strings("patchesStrategicMerge"), maps("patchesJson6902"), maps("images"),
        maps("replicas"), maps("replacements"), maps("vars"), maps("configMapGenerator"), maps("secretGenerator"),
        JsonTrees.map(fields, "generatorOptions"), JsonTrees.map(fields, "sortOptions"), strings("buildMetadata"),
        JsonTrees.map(fields, "openapi"), maps("helmCharts"),
        JsonTrees.map(fields, "helmGlobals"), fields.get("helmChartInflationGenerator"));
  }

  /** A list of strings (null entries dropped), empty when absent. */
  private List<String> strings(String key) {
    List<String> out = new ArrayList<>();
    Object v = fields.get(key);
    if (v instanceof List<?> l) {
      for (Object o : l) {
        if (o != null) {
          out.add(o instanceof String s ? s : JsonTrees.scalarText(o));
        }
      }
    } else if (v != null) {
      throw new KustomizeException(name + ": kustomization field '" + key + "' must be a list", file, -1, null);
    }
    return out;
  }

  /** A list of maps, empty when absent. */
  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> maps(String key) {
    List<Map<String, Object>> out = new ArrayList<>();
    Object v = fields.get(key);
    if (v instanceof List<?> l) {
      for (Object o : l) {
        if (o instanceof Map<?, ?> m) {
          out.add((Map<String, Object>) m);
        } else if (o != null) {
          throw new KustomizeException(name + ": kustomization field '" + key + "' must be a list of mappings", file, -1,
              null);
        }
      }
    } else if (v != null) {
      throw new KustomizeException(name + ": kustomization field '" + key + "' must be a list", file, -1, null);
    }
    return out;
  }
}

package io.conflux.renderer.render;

import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.yaml.KYaml;
import io.conflux.model.kustomize.Image;
import io.conflux.model.kustomize.KustomizationSpec;
import io.conflux.model.kustomize.Patch;
import io.conflux.model.kustomize.Selector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes the {@code kustomization.yaml} that kustomize-controller builds, following Flux's
 * {@code github.com/fluxcd/pkg/kustomize} generator: when the directory has no kustomization file one is
 * generated listing every {@code .yaml}/{@code .yml} file below it (a sub-directory holding its own
 * kustomization file is listed as a directory and not descended into); then the Flux-level fields of the
 * {@code Kustomization} are merged into it: {@code targetNamespace} → {@code namespace}, {@code namePrefix},
 * {@code nameSuffix}, {@code patches}, {@code patchesStrategicMerge}, {@code patchesJson6902},
 * {@code images} and {@code components} appended to the file's own — with {@code ignoreMissingComponents}, a
 * {@code spec.components} entry whose path does not exist under {@code spec.path} is left out (the file's own
 * components are kept as written, as in Flux).
 *
 * <p>The tree must be a scratch copy (the renderer's in-memory checkout): the file is rewritten in place.
 */
public final class FluxKustomizationGenerator {
    static final List<String> KUSTOMIZATION_FILES = List.of("kustomization.yaml", "kustomization.yml", "Kustomization");

    private FluxKustomizationGenerator() {
    }

    /**
     * Generates or amends the kustomization file in {@code dir}.
     *
     * @param dir  the directory named by {@code spec.path}
     * @param spec the Flux Kustomization's spec
     * @throws KustomizeException when the existing kustomization file is not valid YAML
     */
    public static void generate(Path dir, KustomizationSpec spec) {
        try {
            Path existing = existingKustomizationFile(dir);
            Map<String, Object> kustomization;
            Path target;
            if (existing == null) {
                kustomization = new LinkedHashMap<>();
                kustomization.put("apiVersion", "kustomize.config.k8s.io/v1beta1");
                kustomization.put("kind", "Kustomization");
                kustomization.put("resources", detectResources(dir));
                target = dir.resolve("kustomization.yaml");
            } else {
                List<Map<String, Object>> docs = KYaml.parseAll(Files.readString(existing), existing.getFileName().toString());
                kustomization = docs.isEmpty() ? new LinkedHashMap<>() : new LinkedHashMap<>(docs.get(0));
                target = existing;
            }
            merge(kustomization, spec, dir);
            Files.writeString(target, KYaml.dumpAll(List.of(kustomization)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path existingKustomizationFile(Path dir) {
        for (String name : KUSTOMIZATION_FILES) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    private static List<Object> detectResources(Path dir) throws IOException {
        List<Object> resources = new ArrayList<>();
        scan(dir, dir, resources);
        return resources;
    }

    private static void scan(Path root, Path dir, List<Object> resources) throws IOException {
        List<Path> children;
        try (Stream<Path> list = Files.list(dir)) {
            children = list.sorted().toList();
        }
        for (Path child : children) {
            String name = child.getFileName().toString();
            if (Files.isDirectory(child)) {
                if (existingKustomizationFile(child) != null) {
                    resources.add(root.relativize(child).toString());
                } else {
                    scan(root, child, resources);
                }
            } else if (name.endsWith(".yaml") || name.endsWith(".yml")) {
                resources.add(root.relativize(child).toString());
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void merge(Map<String, Object> k, KustomizationSpec spec, Path dir) {
        if (notEmpty(spec.targetNamespace())) {
            k.put("namespace", spec.targetNamespace());
        }
        if (notEmpty(spec.namePrefix())) {
            k.put("namePrefix", spec.namePrefix());
        }
        if (notEmpty(spec.nameSuffix())) {
            k.put("nameSuffix", spec.nameSuffix());
        }
        if (spec.patches() != null) {
            List<Object> patches = list(k, "patches");
            for (Patch p : spec.patches()) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("patch", p.patch());
                if (p.target() != null) {
                    entry.put("target", selector(p.target()));
                }
                patches.add(entry);
            }
        }
        if (spec.patchesStrategicMerge() != null) {
            List<Object> patches = list(k, "patches");
            for (Object smp : spec.patchesStrategicMerge()) {
                patches.add(Map.of("patch", smp instanceof String s ? s : KYaml.dumpAll(List.of((Map<String, Object>) smp))));
            }
        }
        if (spec.patchesJson6902() != null) {
            List<Object> patches = list(k, "patches");
            for (Map<String, Object> json : spec.patchesJson6902()) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("patch", KYaml.dumpAll(List.of(Map.of("ops", json.get("patch")))).replaceFirst("^ops:\\n", ""));
                entry.put("target", json.get("target"));
                patches.add(entry);
            }
        }
        if (spec.images() != null) {
            List<Object> images = list(k, "images");
            for (Image i : spec.images()) {
                Map<String, Object> entry = new LinkedHashMap<>();
                putIf(entry, "name", i.name());
                putIf(entry, "newName", i.newName());
                putIf(entry, "newTag", i.newTag());
                putIf(entry, "digest", i.digest());
                images.add(entry);
            }
        }
        if (spec.components() != null) {
            List<Object> components = list(k, "components");
            for (String component : spec.components()) {
                if (spec.ignoresMissingComponents() && !Files.exists(dir.resolve(component).normalize())) {
                    continue;
                }
                components.add(component);
            }
        }
    }

    private static Map<String, Object> selector(Selector s) {
        Map<String, Object> m = new LinkedHashMap<>();
        putIf(m, "group", s.group());
        putIf(m, "version", s.version());
        putIf(m, "kind", s.kind());
        putIf(m, "name", s.name());
        putIf(m, "namespace", s.namespace());
        putIf(m, "labelSelector", s.labelSelector());
        putIf(m, "annotationSelector", s.annotationSelector());
        return m;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Map<String, Object> k, String key) {
        Object existing = k.get(key);
        List<Object> list = existing instanceof List<?> l ? new ArrayList<>((List<Object>) l) : new ArrayList<>();
        k.put(key, list);
        return list;
    }

    private static void putIf(Map<String, Object> m, String key, String value) {
        if (notEmpty(value)) {
            m.put(key, value);
        }
    }

    private static boolean notEmpty(String s) {
        return s != null && !s.isEmpty();
    }
}

package io.conflux.e2e;

import io.conflux.cli.local.FixtureRepositories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The Git repository of a fault-injection run, generated and then changed commit by commit.
 *
 * <p>Layout: {@code clusters/faults/} (what the root Kustomization applies) holds the Namespace {@code faults} and
 * one Kustomization {@code ks-NN} per generated Kustomization, each of {@code ./apps/ks-NN} in namespace
 * {@value #FLUX_NAMESPACE}, {@code prune: true}; {@code ks-NN} with {@code NN % 5} 1 or 2 depends on
 * {@code ks-(NN-1)} (chains of three), {@code NN % 5 == 0} has {@code wait: true} and a Deployment. {@code apps/ks-NN/}
 * holds a {@code kustomization.yaml} listing a ConfigMap {@code ks-NN-config} (data {@code step}: the last commit
 * that changed it), optional ConfigMaps {@code ks-NN-extra-K} (K below {@value #EXTRAS}; extra 0 present at first)
 * and, for the {@code wait} ones, Deployment {@code ks-NN-app} (image tag: the last commit that changed it). All
 * workload objects are in namespace {@value #NAMESPACE}.
 *
 * <p>Each {@link #commit()} changes three random Kustomizations' directories (the config step always; an extra
 * ConfigMap added or removed — so objects leave a Kustomization and must be pruned — and the Deployment's image
 * each with probability 1/3). The Kustomization objects themselves never change, so their generation stays 1 and
 * every revision order check is within one generation. Not thread-safe.
 */
final class StormRepository {
    /** Namespace of the GitRepository, the Receiver, the Alert and all Kustomizations. */
    static final String FLUX_NAMESPACE = "default";
    /** Namespace of the applied ConfigMaps and Deployments. */
    static final String NAMESPACE = "faults";
    /** Name of the GitRepository and the root Kustomization. */
    static final String NAME = "faults";
    /** The root Kustomization's path. */
    static final String ROOT_PATH = "./clusters/faults";
    static final int EXTRAS = 3;
    private static final int CHANGES_PER_COMMIT = 3;

    private final Path dir;
    private final int kustomizations;
    private final String interval;
    private final Random random;
    private final int[] configStep;
    private final int[] imageTag;
    private final List<TreeSet<Integer>> extras = new ArrayList<>();
    private final List<String> commits = new ArrayList<>();

    private StormRepository(Path dir, int kustomizations, long seed, String interval) {
        this.dir = dir;
        this.interval = interval;
        this.kustomizations = kustomizations;
        this.random = new Random(seed);
        this.configStep = new int[kustomizations];
        this.imageTag = new int[kustomizations];
        for (int i = 0; i < kustomizations; i++) {
            extras.add(new TreeSet<>(List.of(0)));
        }
    }

    /**
     * Writes the first commit's tree into a new repository at {@code dir} (branch {@code main}); the tree is first
     * written to the sibling directory {@code <dir>-seed}.
     *
     * @param dir            where the repository is created (must not hold one)
     * @param kustomizations number of generated Kustomizations
     * @param seed           seed of the changes' random choices
     * @param interval       the generated Kustomizations' {@code interval}, a Go duration
     */
    static StormRepository create(Path dir, int kustomizations, long seed, String interval) {
        StormRepository repo = new StormRepository(dir, kustomizations, seed, interval);
        Path seedTree = dir.resolveSibling(dir.getFileName() + "-seed");
        repo.writeTree(seedTree);
        repo.commits.add(FixtureRepositories.create(seedTree, dir, "main"));
        return repo;
    }

    /** @return the Kustomization names, {@code ks-00} … */
    List<String> kustomizationNames() {
        return IntStream.range(0, kustomizations).mapToObj(StormRepository::name).toList();
    }

    /** @return every commit made so far, oldest first (the first is the initial import) */
    List<String> commits() {
        return List.copyOf(commits);
    }

    /** @return the newest commit */
    String head() {
        return commits.get(commits.size() - 1);
    }

    /** @return the repository's work tree, which holds the newest commit */
    Path workTree() {
        return dir;
    }

    /**
     * Changes three random Kustomizations' directories and commits.
     *
     * @return the new commit's sha
     */
    String commit() {
        int step = commits.size();
        List<Integer> changed = new ArrayList<>();
        for (int c = 0; c < Math.min(CHANGES_PER_COMMIT, kustomizations); c++) {
            int i = random.nextInt(kustomizations);
            changed.add(i);
            configStep[i] = step;
            if (random.nextInt(3) == 0) {
                int extra = random.nextInt(EXTRAS);
                if (!extras.get(i).remove(extra)) {
                    extras.get(i).add(extra);
                }
            }
            if (hasDeployment(i) && random.nextInt(3) == 0) {
                imageTag[i] = step;
            }
            writeApp(dir, i);
        }
        String sha = FixtureRepositories.commitAll(dir, "storm step " + step + ": " + changed.stream()
            .map(StormRepository::name).collect(Collectors.joining(", ")));
        commits.add(sha);
        return sha;
    }

    static String name(int i) {
        return String.format("ks-%02d", i);
    }

    static boolean hasDeployment(int i) {
        return i % 5 == 0;
    }

    private void writeTree(Path root) {
        Path cluster = root.resolve("clusters/faults");
        StringBuilder resources = new StringBuilder("  - namespace.yaml\n");
        write(cluster.resolve("namespace.yaml"), """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: %s
            """.formatted(NAMESPACE));
        for (int i = 0; i < kustomizations; i++) {
            resources.append("  - ").append(name(i)).append(".yaml\n");
            write(cluster.resolve(name(i) + ".yaml"), kustomizationObject(i));
            writeApp(root, i);
        }
        write(cluster.resolve("kustomization.yaml"), """
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            resources:
            %s""".formatted(resources));
    }

    private String kustomizationObject(int i) {
        StringBuilder spec = new StringBuilder("""
            apiVersion: kustomize.toolkit.fluxcd.io/v1
            kind: Kustomization
            metadata:
              name: %s
              namespace: %s
            spec:
              interval: %s
              retryInterval: 30s
              timeout: 2m
              path: ./apps/%s
              prune: true
              sourceRef:
                kind: GitRepository
                name: %s
            """.formatted(name(i), FLUX_NAMESPACE, interval, name(i), NAME));
        if (i % 5 == 1 || i % 5 == 2) {
            spec.append("  dependsOn:\n    - name: ").append(name(i - 1)).append('\n');
        }
        if (hasDeployment(i)) {
            spec.append("  wait: true\n");
        }
        return spec.toString();
    }

    private void writeApp(Path root, int i) {
        Path app = root.resolve("apps").resolve(name(i));
        StringBuilder resources = new StringBuilder("  - config.yaml\n");
        write(app.resolve("config.yaml"), """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: %s-config
              namespace: %s
            data:
              kustomization: %s
              step: "%d"
            """.formatted(name(i), NAMESPACE, name(i), configStep[i]));
        for (int extra = 0; extra < EXTRAS; extra++) {
            Path file = app.resolve("extra-" + extra + ".yaml");
            if (extras.get(i).contains(extra)) {
                resources.append("  - extra-").append(extra).append(".yaml\n");
                write(file, """
                    apiVersion: v1
                    kind: ConfigMap
                    metadata:
                      name: %s-extra-%d
                      namespace: %s
                    data:
                      extra: "%d"
                    """.formatted(name(i), extra, NAMESPACE, extra));
            } else {
                delete(file);
            }
        }
        if (hasDeployment(i)) {
            resources.append("  - deployment.yaml\n");
            write(app.resolve("deployment.yaml"), """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: %s-app
                  namespace: %s
                spec:
                  replicas: 1
                  selector:
                    matchLabels: {app: %s}
                  template:
                    metadata:
                      labels: {app: %s}
                    spec:
                      containers:
                        - name: app
                          image: registry.conflux.local/app:v%d
                """.formatted(name(i), NAMESPACE, name(i), name(i), imageTag[i]));
        }
        write(app.resolve("kustomization.yaml"), """
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            resources:
            %s""".formatted(resources));
    }

    private static void write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.conflux.renderer.render;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import io.conflux.artifacts.ArtifactException;
import io.conflux.artifacts.Tarballs;
import io.conflux.git.GitException;
import io.conflux.git.SourceTree;
import io.conflux.model.meta.Conditions;
import io.conflux.model.meta.FluxReasons;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.Artifact;
import io.conflux.model.source.ArtifactGenerator;
import io.conflux.model.source.ArtifactGeneratorSpec;
import io.conflux.model.source.ArtifactGeneratorStatus;
import io.conflux.model.source.Bucket;
import io.conflux.model.source.ExternalArtifact;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.OCIRepository;
import io.conflux.model.source.Revision;
import io.conflux.renderer.generate.ArtifactContent;
import io.conflux.renderer.generate.GeneratorBuild;
import io.conflux.renderer.persist.GeneratedArtifact;
import io.conflux.renderer.persist.SourceArtifact;
import io.conflux.renderer.persist.SourceContent;
import io.conflux.renderer.source.GeneratedArtifacts;
import io.conflux.service.KeyedSerialQueue;
import io.conflux.service.Ownership;
import io.conflux.service.ReactiveRunner;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Flux's source-watcher in the renderer: generates the {@link ExternalArtifact}s of an {@link ArtifactGenerator}.
 * A generation runs in the generator's serialized job, on the replica owning the generator's key, when one of its
 * sources has stored a new artifact, when the generator is created or its spec changes (or
 * {@code reconcile.fluxcd.io/requestedAt}), and when the replica comes to own it. It reads the latest stored artifact
 * of each source ({@link SourceArtifact}; a GitRepository's content from its mirror at that revision with its includes,
 * {@link GitSources}; an ExternalArtifact's from {@link GeneratedArtifact}; an OCIRepository's or Bucket's tar+gzip
 * from {@link SourceContent}, as {@link ArtifactFetcher} stored it), builds every output by its copy rules
 * ({@link GeneratorBuild}) and — only for an output whose revision, digest or origin revision differs from the stored
 * one — stores its content ({@link GeneratedArtifact}) and its artifact ({@link SourceArtifact}, kind
 * {@code ExternalArtifact}, so it gets a new sequence number) in one transaction. So a commit outside an output's paths
 * changes nothing of that output and renders none of its Kustomizations: the point of source-watcher. Then the
 * ExternalArtifacts are applied with their status, those no longer generated are deleted, and the generator's status
 * written ({@link GeneratedArtifacts}).
 *
 * <p>Sources may be of kind GitRepository, OCIRepository, Bucket or ExternalArtifact, as source-watcher's; an output's
 * {@code originRevision: "@alias"} takes the ExternalArtifact source's own origin revision, else the source's revision
 * (source-watcher also reads an OCI artifact's {@code org.opencontainers.image.revision} annotation, which Conflux's
 * stored artifact rows do not keep: an OCIRepository source gives its own revision). A source kind Conflux cannot read
 * yet (HelmChart) or a source with no stored artifact or content fails the generation with {@code SourceFetchFailed}; an invalid spec with {@code ValidationFailed} and {@code Stalled};
 * copy rules that match nothing with {@code BuildFailed}. A failure stores nothing: the ExternalArtifacts keep their
 * last artifact. The annotation {@code source.extensions.fluxcd.io/reconcile: disabled} pauses a generator.
 */
public final class ArtifactGenerators {
    private static final Logger LOG = Logger.getLogger(ArtifactGenerators.class);
    /** Bound of an extracted OCIRepository or Bucket artifact (the stored tarball was bounded when fetched). */
    private static final long MAX_EXTRACTED = 1L << 30;
    /** Flux's {@code ReconciliationFailedReason}. */
    static final String RECONCILIATION_FAILED = FluxReasons.RECONCILIATION_FAILED;

    private final SourceTree sourceTree;
    private final Function<ObjectKey, Optional<GitRepository>> repositories;
    private final BiFunction<String, String, Map<String, String>> secrets;
    private final GeneratedArtifacts cluster;
    private final WatchedObjects watched;
    private final CrossNamespaceRefs crossNamespaceRefs;
    private final ReactiveRunner runner;
    private final KeyedSerialQueue queue;
    private final Ownership ownership;

    /**
     * @param sourceTree         reads GitRepository content from the mirrors
     * @param repositories       the GitRepositories by key (the informer cache)
     * @param secrets            decoded Secret data by namespace and name, null when absent (blocking)
     * @param cluster            writes ExternalArtifacts and generator status
     * @param watched            the generators on the cluster
     * @param crossNamespaceRefs whether a source in another namespace may be read
     * @param runner             runs the jobs' pipelines (Panache)
     * @param queue              serializes the jobs of one key
     * @param ownership          which generators this replica generates
     */
    ArtifactGenerators(SourceTree sourceTree, Function<ObjectKey, Optional<GitRepository>> repositories,
                       BiFunction<String, String, Map<String, String>> secrets, GeneratedArtifacts cluster,
                       WatchedObjects watched, CrossNamespaceRefs crossNamespaceRefs, ReactiveRunner runner,
                       KeyedSerialQueue queue, Ownership ownership) {
        this.sourceTree = sourceTree;
        this.repositories = repositories;
        this.secrets = secrets;
        this.cluster = cluster;
        this.watched = watched;
        this.crossNamespaceRefs = crossNamespaceRefs;
        this.runner = runner;
        this.queue = queue;
        this.ownership = ownership;
    }

    /** @return the keys of the generators this replica owns that read {@code source} */
    List<ObjectKey> readersOf(ObjectKey source) {
        List<ObjectKey> out = new ArrayList<>();
        for (ArtifactGenerator g : watched.artifactGenerators()) {
            ObjectKey key = FluxMetadata.objectKey(g);
            if (g.getSpec() != null && g.getSpec().sources() != null && ownership.owns(key)
                    && g.getSpec().sources().stream().anyMatch(s -> source.equals(sourceKey(g, s)))) {
                out.add(key);
            }
        }
        return out;
    }

    /**
     * Generates {@code generator} in its serialized job, if this replica owns it and it is not paused.
     *
     * @return a Uni of the ExternalArtifacts whose stored artifact changed (their Kustomizations render); failing when
     *         the database fails
     */
    Uni<List<ObjectKey>> generate(ObjectKey generator) {
        if (!ownership.owns(generator)) {
            return Uni.createFrom().item(List.of());
        }
        AtomicReference<List<ObjectKey>> changed = new AtomicReference<>(List.of());
        return queue.submit(generator.toString(), () -> runner.run(blocking -> {
            Optional<ArtifactGenerator> current = watched.artifactGenerator(generator);
            if (current.isEmpty() || paused(current.get())) {
                return Uni.createFrom().voidItem();
            }
            return generate(current.get(), blocking).invoke(changed::set).replaceWithVoid();
        })).replaceWith(changed::get);
    }

    /**
     * A generator was deleted: its ExternalArtifacts (its stored rows and its last inventory) are deleted with their
     * stored artifacts, as source-watcher's finalizer does.
     *
     * @return a Uni completing when they are gone
     */
    Uni<Void> forget(ArtifactGenerator generator) {
        ObjectKey key = FluxMetadata.objectKey(generator);
        String ns = generator.getMetadata().getNamespace();
        return queue.submit(key.toString(), () -> runner.run(blocking -> Panache.withSession(() ->
                        GeneratedArtifact.ofGenerator(ns, generator.getMetadata().getName()))
                .chain(rows -> {
                    Set<String> names = new HashSet<>();
                    rows.forEach(r -> names.add(r.name));
                    if (generator.getStatus() != null && generator.getStatus().inventory() != null) {
                        generator.getStatus().inventory().stream().filter(e -> ns.equals(e.namespace()))
                                .forEach(e -> names.add(e.name()));
                    }
                    return delete(ns, names, blocking);
                })));
    }

    private Uni<List<ObjectKey>> generate(ArtifactGenerator generator, ReactiveRunner.Blocking blocking) {
        ArtifactGeneratorSpec spec = generator.getSpec();
        try {
            GeneratorBuild.validate(spec);
        } catch (GeneratorBuild.Failure f) {
            return blocking.call(() -> {
                cluster.failed(generator, f.reason(), f.getMessage(), true);
                return List.of();
            });
        }
        for (ArtifactGeneratorSpec.Source s : spec.sources()) {
            Optional<String> denied = crossNamespaceRefs.refused(generator, s);
            if (denied.isPresent()) {
                return blocking.call(() -> {
                    cluster.failed(generator, CrossNamespaceRefs.ACCESS_DENIED, denied.get(), true);
                    return List.of();
                });
            }
        }
        String ns = generator.getMetadata().getNamespace();
        String name = generator.getMetadata().getName();
        return Panache.withSession(() -> readSources(generator))
                .chain(read -> Panache.withSession(() -> GeneratedArtifact.ofGenerator(ns, name)
                        .chain(rows -> SourceArtifact.inNamespace(ns).map(artifacts -> new Stored(read, rows, artifacts)))))
                .chain(stored -> blocking.call(() -> build(generator, stored.read()))
                        .chain(built -> built.failure() != null
                                ? blocking.call(() -> {
                                    cluster.failed(generator, built.failure().reason(), built.failure().getMessage(), false);
                                    return List.<ObjectKey>of();
                                })
                                : publish(generator, built, stored, blocking)));
    }

    /** What a generation reads from the database: its sources, its outputs' rows, its namespace's artifacts. */
    private record Stored(ReadSources read, List<GeneratedArtifact> rows, List<SourceArtifact> artifacts) {
    }

    /**
     * The stored artifacts of a generator's sources.
     *
     * @param artifacts  by alias, the source's stored artifact row
     * @param contents   by alias, the stored content of an ExternalArtifact source
     * @param tarballs   by alias, the stored tar+gzip of an OCIRepository or Bucket source
     * @param namespaces by namespace, the GitRepository artifacts (for includes)
     * @param missing    why a source cannot be read, null when all can
     */
    private record ReadSources(Map<String, SourceArtifact> artifacts, Map<String, GeneratedArtifact> contents,
                               Map<String, SourceContent> tarballs, Map<String, StoredSources> namespaces,
                               String missing) {
    }

    /** Must run in a Panache session. */
    private Uni<ReadSources> readSources(ArtifactGenerator generator) {
        Map<String, SourceArtifact> artifacts = new HashMap<>();
        Map<String, GeneratedArtifact> contents = new HashMap<>();
        Map<String, SourceContent> tarballs = new HashMap<>();
        Map<String, StoredSources> namespaces = new HashMap<>();
        Uni<String> chain = Uni.createFrom().nullItem();
        for (ArtifactGeneratorSpec.Source s : generator.getSpec().sources()) {
            ObjectKey key = sourceKey(generator, s);
            chain = chain.chain(missing -> {
                if (missing != null) {
                    return Uni.createFrom().item(missing);
                }
                if (!GitRepository.KIND.equals(s.kind()) && !ExternalArtifact.KIND.equals(s.kind())
                        && !isArchive(s.kind())) {
                    return Uni.createFrom().item("source kind '" + s.kind() + "' of alias '" + s.alias()
                            + "' is not supported by Conflux yet; use GitRepository, OCIRepository, Bucket or"
                            + " ExternalArtifact");
                }
                return SourceArtifact.last(key).chain(row -> {
                    if (row == null) {
                        return Uni.createFrom().item("failed to get source " + key + ": no artifact stored yet");
                    }
                    artifacts.put(s.alias(), row);
                    if (ExternalArtifact.KIND.equals(s.kind())) {
                        return GeneratedArtifact.of(key.namespace(), key.name()).map(content -> {
                            if (content == null) {
                                return "failed to get source " + key + ": no artifact content stored";
                            }
                            contents.put(s.alias(), content);
                            return null;
                        });
                    }
                    if (isArchive(s.kind())) {
                        return SourceContent.of(key).map(content -> {
                            if (content == null || !content.revision().equals(row.revision)) {
                                return "failed to get source " + key + ": the content of revision '" + row.revision
                                        + "' is not stored";
                            }
                            tarballs.put(s.alias(), content);
                            return null;
                        });
                    }
                    if (namespaces.containsKey(key.namespace())) {
                        return Uni.createFrom().nullItem();
                    }
                    return StoredSources.of(key.namespace()).map(stored -> {
                        namespaces.put(key.namespace(), stored);
                        return null;
                    });
                });
            });
        }
        return chain.map(missing -> new ReadSources(artifacts, contents, tarballs, namespaces, missing));
    }

    /** The outputs built, or why not. */
    private record Built(List<GeneratorBuild.Output> outputs, String sourcesDigest, GeneratorBuild.Failure failure) {
        static Built failed(String reason, String message) {
            return new Built(null, null, new GeneratorBuild.Failure(reason, message));
        }
    }

    /** Writes each source's content and builds the outputs; blocking. */
    private Built build(ArtifactGenerator generator, ReadSources read) {
        if (read.missing() != null) {
            return Built.failed(GeneratorBuild.SOURCE_FETCH_FAILED, read.missing());
        }
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
            Map<String, GeneratorBuild.Source> sources = new LinkedHashMap<>();
            for (ArtifactGeneratorSpec.Source s : generator.getSpec().sources()) {
                ObjectKey key = sourceKey(generator, s);
                SourceArtifact row = read.artifacts().get(s.alias());
                Path root = Files.createDirectories(fs.getPath("/sources", s.alias(), "root"));
                String origin = null;
                try {
                    if (GitRepository.KIND.equals(s.kind())) {
                        StoredSources stored = read.namespaces().get(key.namespace());
                        GitSources git = new GitSources(repositories, stored::at, secrets);
                        sourceTree.write(git.resolve(key, row.url, Revision.parse(row.revision)), root);
                    } else if (isArchive(s.kind())) {
                        Tarballs.extract(read.tarballs().get(s.alias()).content(), root, MAX_EXTRACTED,
                                s.kind() + " " + key.namespace() + "/" + key.name() + " artifact " + row.revision);
                    } else {
                        GeneratedArtifact content = read.contents().get(s.alias());
                        ArtifactContent.unpack(content.content, root);
                        origin = content.originRevision;
                    }
                } catch (GitException | ArtifactException | IllegalArgumentException | UncheckedIOException
                         | IOException e) {
                    return Built.failed(GeneratorBuild.SOURCE_FETCH_FAILED, "failed to fetch source " + key + ": "
                            + e.getMessage());
                }
                sources.put(s.alias(), new GeneratorBuild.Source(root, row.revision, row.digest, row.url, origin));
            }
            List<GeneratorBuild.Output> outputs = GeneratorBuild.build(generator.getSpec(), sources,
                    Files.createDirectories(fs.getPath("/outputs")));
            return new Built(outputs, GeneratorBuild.observedSourcesDigest(sources), null);
        } catch (GeneratorBuild.Failure f) {
            return new Built(null, null, f);
        } catch (IOException e) {
            return Built.failed(GeneratorBuild.BUILD_FAILED, "cannot stage the artifacts: " + e.getMessage());
        }
    }

    /**
     * Stores the outputs that changed, applies every ExternalArtifact, deletes those no longer generated, writes the
     * generator's status.
     */
    private Uni<List<ObjectKey>> publish(ArtifactGenerator generator, Built built, Stored stored,
                                         ReactiveRunner.Blocking blocking) {
        String ns = generator.getMetadata().getNamespace();
        String name = generator.getMetadata().getName();
        Map<String, GeneratedArtifact> rows = new HashMap<>();
        stored.rows().forEach(r -> rows.put(r.name, r));
        Map<String, SourceArtifact> known = new HashMap<>();
        stored.artifacts().stream().filter(a -> ExternalArtifact.KIND.equals(a.kind)).forEach(a -> known.put(a.name, a));
        Map<String, Artifact> artifacts = new LinkedHashMap<>();
        List<GeneratorBuild.Output> toStore = new ArrayList<>();
        List<GeneratorBuild.Output> changed = new ArrayList<>();
        for (GeneratorBuild.Output o : built.outputs()) {
            GeneratedArtifact row = rows.get(o.name());
            SourceArtifact last = known.get(o.name());
            boolean sameRevision = last != null && o.revision().equals(last.revision) && Objects.equals(o.digest(), last.digest);
            boolean same = sameRevision && row != null && name.equals(row.generator) && o.digest().equals(row.digest)
                    && o.revision().equals(row.revision) && Objects.equals(o.originRevision(), row.originRevision);
            artifacts.put(o.name(), artifact(ns, o, sameRevision ? last.lastUpdateTime : Conditions.now()));
            if (!same) {
                toStore.add(o);
            }
            // only a new revision renders (kustomize-controller watches the artifact's revision): a new origin
            // revision alone is stored and shown, keeping the sequence number, and renders nothing
            if (!sameRevision) {
                changed.add(o);
            }
        }
        Set<String> orphans = new HashSet<>(rows.keySet());
        if (generator.getStatus() != null && generator.getStatus().inventory() != null) {
            generator.getStatus().inventory().stream().filter(e -> ns.equals(e.namespace())).forEach(e -> orphans.add(e.name()));
        }
        orphans.removeAll(artifacts.keySet());
        Uni<Void> store = Uni.createFrom().voidItem();
        for (GeneratorBuild.Output o : toStore) {
            ObjectKey key = new ObjectKey(ExternalArtifact.KIND, ns, o.name());
            store = store.chain(() -> Panache.withTransaction(() -> GeneratedArtifact.store(ns, o.name(), name,
                    o.revision(), o.digest(), o.originRevision(), o.content())
                    .chain(() -> SourceArtifact.store(key, artifacts.get(o.name())))));
        }
        return store.chain(() -> blocking.call(() -> {
                    List<ArtifactGeneratorStatus.InventoryEntry> inventory = new ArrayList<>();
                    try {
                        for (Map.Entry<String, Artifact> e : artifacts.entrySet()) {
                            cluster.apply(generator, e.getKey(), e.getValue());
                            inventory.add(new ArtifactGeneratorStatus.InventoryEntry(e.getKey(), ns, e.getValue().digest(),
                                    filename(e.getValue().digest())));
                        }
                    } catch (KubernetesClientException e) {
                        cluster.failed(generator, RECONCILIATION_FAILED, "ExternalArtifact reconcile failed: "
                                + e.getMessage(), false);
                        return false;
                    }
                    cluster.succeeded(generator, inventory, built.sourcesDigest());
                    return true;
                }))
                .chain(() -> orphans.isEmpty() ? Uni.createFrom().voidItem() : delete(ns, orphans, blocking))
                .map(v -> {
                    if (!changed.isEmpty()) {
                        LOG.infof("ArtifactGenerator %s/%s: %d of %d artifact(s) changed", ns, name, changed.size(),
                                artifacts.size());
                    }
                    return changed.stream().map(o -> new ObjectKey(ExternalArtifact.KIND, ns, o.name())).toList();
                });
    }

    /** Deletes ExternalArtifacts {@code names} of {@code ns} from the cluster and their stored rows. */
    private Uni<Void> delete(String ns, Set<String> names, ReactiveRunner.Blocking blocking) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (String n : names) {
            chain = chain.chain(() -> blocking.call(() -> {
                cluster.delete(ns, n);
                return null;
            })).chain(() -> Panache.withTransaction(() -> GeneratedArtifact.forget(ns, n)
                    .chain(() -> SourceArtifact.forget(new ObjectKey(ExternalArtifact.KIND, ns, n)))));
        }
        return chain.invoke(() -> LOG.infof("deleted %d ExternalArtifact(s) in %s: %s", names.size(), ns, names));
    }

    /** @return the artifact of ExternalArtifact {@code ns/o.name} as Flux writes it, updated at {@code time} */
    private static Artifact artifact(String ns, GeneratorBuild.Output o, String time) {
        String path = "externalartifact/" + ns + "/" + o.name() + "/" + filename(o.digest());
        return new Artifact(o.revision(), o.digest(), time, "postgresql:generated_artifact/" + path, path,
                o.originRevision() == null ? null : Map.of(ArtifactGenerator.ORIGIN_REVISION, o.originRevision()));
    }

    /** @return the artifact's file name: its digest's hex and {@code .zip} (Flux: {@code <hash>.tar.gz}) */
    private static String filename(String digest) {
        return digest.substring(digest.indexOf(':') + 1) + ".zip";
    }

    /** @return whether sources of {@code kind} are stored as a tar+gzip ({@link SourceContent}) */
    private static boolean isArchive(String kind) {
        return OCIRepository.KIND.equals(kind) || Bucket.KIND.equals(kind);
    }

    private static boolean paused(ArtifactGenerator g) {
        Map<String, String> a = g.getMetadata().getAnnotations();
        return a != null && "disabled".equalsIgnoreCase(a.get(ArtifactGenerator.RECONCILE_ANNOTATION));
    }

    /** @return the key of {@code source} of {@code generator} (default namespace: the generator's) */
    static ObjectKey sourceKey(ArtifactGenerator generator, ArtifactGeneratorSpec.Source source) {
        String ns = source.namespace() == null || source.namespace().isEmpty()
                ? generator.getMetadata().getNamespace() : source.namespace();
        return new ObjectKey(source.kind(), ns, source.name());
    }
}

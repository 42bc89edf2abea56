package io.conflux.renderer.render;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import io.conflux.git.ArtifactDigest;
import io.conflux.git.GitException;
import io.conflux.git.GitMirror;
import io.conflux.git.GitSource;
import io.conflux.git.SourceTree;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.Revision;
import io.conflux.model.topic.SourceRevision;
import io.conflux.renderer.persist.SourceArtifact;
import io.conflux.renderer.source.GitArtifacts;
import io.conflux.service.ReactiveRunner;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The fetch half of Flux's source-controller for GitRepositories, as the renderer does it: fetches a published
 * revision into the GitRepository's mirror, checks it is the tip of the tracked ref ({@link SourceTip}), digests the
 * artifact content ({@link ArtifactDigest}: revision, includes, ignore rules), stores the artifact in PostgreSQL
 * ({@link SourceArtifact}, with its sequence number) and then — once it is durable — writes the outcome to the
 * GitRepository's status ({@link GitArtifacts}). Like source-controller, which stores each artifact it fetches and serves the last one through
 * an outage, a failed fetch turns the GitRepository {@code Ready=False} with the last stored artifact, read back from
 * PostgreSQL (so that it survives a restart, and another replica's fetch counts); nothing is stored then, so nothing is
 * rendered: a source outage is not its Kustomizations'.
 *
 * <p>Only the tip of the tracked ref is stored: a record whose revision the ref does not resolve to in the mirror just
 * fetched (the ref moved on, or the record was not the receiver's) is refused — logged, nothing stored, no status
 * written. The ref's new tip is fetched when its own record comes.
 */
public final class SourceFetcher {
    private static final Logger LOG = Logger.getLogger(SourceFetcher.class);

    private final GitMirror mirror;
    private final SourceTree sourceTree;
    private final SourceTip tips;
    private final GitArtifacts artifacts;
    private final Function<ObjectKey, Optional<GitRepository>> repositories;
    private final BiFunction<String, String, Map<String, String>> secrets;
    private final ArtifactFetcher artifactSources;

    /**
     * @param mirror       the renderer's Git mirrors
     * @param artifacts    writes the fetch outcomes to the GitRepositories' status
     * @param repositories the GitRepositories by key (the informer cache)
     * @param secrets      decoded Secret data by namespace and name, null when absent (blocking)
     * @param artifactSources fetches the revisions of OCIRepositories and Buckets
     */
    SourceFetcher(GitMirror mirror, GitArtifacts artifacts, Function<ObjectKey, Optional<GitRepository>> repositories,
                  BiFunction<String, String, Map<String, String>> secrets, ArtifactFetcher artifactSources) {
        this.artifactSources = artifactSources;
        this.mirror = mirror;
        this.sourceTree = new SourceTree(mirror);
        this.tips = new SourceTip(mirror);
        this.artifacts = artifacts;
        this.repositories = repositories;
        this.secrets = secrets;
    }

    /**
     * Fetches {@code revision}; must run in a {@link ReactiveRunner} pipeline. A revision of an OCIRepository or Bucket
     * is {@link ArtifactFetcher}'s.
     *
     * @param onStored called once the artifact is stored in PostgreSQL, before its status is written (the renders of
     *                 its readers may start then); not called when nothing was stored
     * @return a Uni of whether the revision's artifact was stored (then its GitRepository's objects render); false when
     *         the fetch failed (status written) or the record was refused; failing when the database fails
     */
    Uni<Boolean> fetch(SourceRevision revision, ReactiveRunner.Blocking blocking, Runnable onStored) {
        ObjectKey source = revision.sourceKey();
        if (ArtifactFetcher.handles(source.kind())) {
            return artifactSources.fetch(revision, blocking, onStored); // OCIRepository, Bucket (wt-oci)
        }
        return Panache.withSession(() -> StoredSources.of(source.namespace()))
                .chain(stored -> blocking.call(() -> fetch(source, revision, stored)))
                .chain(outcome -> {
                    if (outcome.stale() != null) {
                        LOG.warnf("%s: not rendering %s: %s", source, revision.revision(), outcome.stale());
                        return Uni.createFrom().item(false);
                    }
                    if (outcome.fetched()) {
                        // the status reports the artifact only once it is stored: a failed store leaves the status
                        // as it was, and the redelivered revision is fetched and stored again
                        return blocking.call(() -> artifacts.artifactOf(source, revision.url(), revision.revision(), outcome.digest()))
                                // Panache's static operations look up the session when called: build them inside the transaction.
                                .call(artifact -> Panache.withTransaction(() ->
                                        SourceArtifact.store(source, artifact)))
                                .invoke(onStored)
                                .chain(artifact -> blocking.call(() -> {
                                    artifacts.fetched(source, artifact);
                                    return true;
                                }));
                    }
                    return Panache.withSession(() -> SourceArtifact.last(source))
                            .onFailure().recoverWithItem(e -> {
                                LOG.warnf("last artifact of %s not read: %s", source, e.getMessage());
                                return null;
                            })
                            .chain(last -> blocking.call(() -> {
                                if (last != null) {
                                    artifacts.stored(source, last.artifact());
                                }
                                artifacts.failed(source, revision.url(), revision.revision(), outcome.cause());
                                return false;
                            }));
                });
    }

    /** A GitRepository was seen on the cluster: its status may name the last artifact fetched before a restart. */
    void seen(GitRepository repository) {
        artifacts.seen(repository);
    }

    /**
     * A GitRepository was deleted: its stored artifact and its Git mirrors go with it, as source-controller
     * garbage-collects a deleted object's artifacts, so that a GitRepository created again under the name never
     * inherits it and the disk does not keep what no object reads. Must run in a {@link ReactiveRunner} pipeline.
     *
     * @return a Uni completing when the artifact is forgotten in memory and deleted from the database, and the mirrors
     *         are deleted (a mirror that cannot be deleted is logged)
     */
    Uni<Void> forget(ObjectKey source, ReactiveRunner.Blocking blocking) {
        artifacts.forget(source);
        return Panache.withTransaction(() -> SourceArtifact.forget(source))
                .chain(() -> blocking.call(() -> {
                    try {
                        mirror.forget(source);
                    } catch (GitException e) {
                        LOG.warnf("mirrors of %s not deleted: %s", source, e.getMessage());
                    }
                    return null;
                }))
                .replaceWithVoid();
    }

    /**
     * How fetching a revision went: fetched, with the {@link ArtifactDigest} of its content (null when it could not be
     * computed); or not, with the cause; or refused because the revision is not the tip of the tracked ref, with why.
     */
    private record FetchOutcome(boolean fetched, String digest, String cause, String stale) {
        static FetchOutcome failed(String cause) {
            return new FetchOutcome(false, null, cause, null);
        }
    }

    /** Fetches and digests {@code revision} with everything it includes (at their stored artifacts); blocking. */
    private FetchOutcome fetch(ObjectKey source, SourceRevision revision, StoredSources stored) {
        GitSources sources = new GitSources(repositories, stored::at, secrets);
        String digest;
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
            Path root = Files.createDirectories(fs.getPath("/artifact/source"));
            GitSource gitSource = sources.resolve(source, revision.url(), Revision.parse(revision.revision()));
            Optional<String> stale = tips.stale(revision, repositories.apply(source), gitSource);
            if (stale.isPresent()) {
                return new FetchOutcome(false, null, null, stale.get());
            }
            sourceTree.write(gitSource, root);
            digest = ArtifactDigest.of(root);
        } catch (GitException | IllegalArgumentException e) {
            return FetchOutcome.failed(e.getMessage());
        } catch (IOException e) {
            // the in-memory copy failed, not the fetch: the revision is in the mirror
            LOG.warnf("artifact digest of %s at %s not computed: %s", source, revision.revision(), e.getMessage());
            digest = null;
        }
        return new FetchOutcome(true, digest, null, null);
    }
}

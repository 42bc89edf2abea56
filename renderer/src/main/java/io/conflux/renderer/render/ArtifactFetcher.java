package io.conflux.renderer.render;

import io.conflux.artifacts.ArtifactException;
import io.conflux.artifacts.BucketSources;
import io.conflux.artifacts.FetchedArtifact;
import io.conflux.artifacts.OciSources;
import io.conflux.artifacts.SecretLookup;
import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.meta.FluxReasons;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.Artifact;
import io.conflux.model.source.Bucket;
import io.conflux.model.source.OCIRepository;
import io.conflux.model.topic.SourceRevision;
import io.conflux.renderer.persist.SourceArtifact;
import io.conflux.renderer.persist.SourceContent;
import io.conflux.service.ReactiveRunner;
import io.conflux.service.SecretReader;
import io.conflux.service.StatusPatcher;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The fetch half of source-controller for {@code OCIRepository}s and {@code Bucket}s, as the renderer does it for a
 * published revision: reads the object from the management cluster, fetches the content of that revision — an OCI
 * artifact's layer by the revision's manifest digest (immutable; {@code extract}: its files less the ignored ones,
 * packed again; {@code copy}: the layer as it is), a Bucket's indexed objects packed as a tar+gzip — bounded by
 * {@code conflux.git.max-fetch-size}, stores it ({@link SourceContent}) and its artifact ({@link SourceArtifact}, with
 * its sequence number) in one transaction, then writes {@code status.artifact} ({@code revision}, {@code digest} =
 * sha256 of the stored tarball, {@code size}, {@code metadata} = the manifest's annotations, {@code lastUpdateTime},
 * {@code url}) and {@code Ready=True} with Flux's message. A Bucket whose objects changed since the receiver's listing
 * is not stored (its revision is not the one published; the receiver publishes the new one at its next poll). A
 * failed fetch is {@code Ready=False}, {@code FetchFailed=True} with Flux's reason (e.g. {@code OCIArtifactPullFailed},
 * {@code BucketOperationFailed}) and the last stored artifact kept, so its Kustomizations keep theirs.
 */
final class ArtifactFetcher {
    private static final Logger LOG = Logger.getLogger(ArtifactFetcher.class);

    private final KubernetesClient client;
    private final StatusPatcher status;
    private final SecretReader secrets;
    private final long maxBytes;

    /**
     * @param client   the management cluster (the objects are read at fetch time)
     * @param status   writes their status
     * @param secrets  reads their Secrets
     * @param maxBytes bound of one artifact ({@code conflux.git.max-fetch-size})
     */
    ArtifactFetcher(KubernetesClient client, StatusPatcher status, SecretReader secrets, long maxBytes) {
        this.client = client;
        this.status = status;
        this.secrets = secrets;
        this.maxBytes = maxBytes;
    }

    /** @return whether revisions of {@code kind} are fetched here ({@code OCIRepository}, {@code Bucket}) */
    static boolean handles(String kind) {
        return OCIRepository.KIND.equals(kind) || Bucket.KIND.equals(kind);
    }

    /** How a fetch went: stored, failed (reason and message), or not stored for a reason (stale, object gone). */
    private record Outcome(FetchedArtifact fetched, HasMetadata object, String reason, String message) {
    }

    /**
     * Fetches {@code revision}; must run in a {@link ReactiveRunner} pipeline.
     *
     * @param onStored called once the artifact is stored in PostgreSQL, before its status is written; not called when
     *                 nothing was stored
     * @return a Uni of whether the artifact was stored (then the Kustomizations of its source render); failing when
     *         the database or the API server fails (transient)
     */
    Uni<Boolean> fetch(SourceRevision revision, ReactiveRunner.Blocking blocking, Runnable onStored) {
        ObjectKey source = revision.sourceKey();
        return blocking.call(() -> fetchNow(source, revision)).chain(outcome -> {
            if (outcome.object() == null) {
                LOG.infof("%s: not fetching %s: %s", source, revision.revision(), outcome.message());
                return Uni.createFrom().item(false);
            }
            if (outcome.fetched() != null) {
                FetchedArtifact f = outcome.fetched();
                Artifact artifact = new Artifact(f.revision(), f.digest(), revision.observedAt(), revision.url(),
                        Artifact.path(source.kind(), source.namespace(), source.name(), f.digest()),
                        (long) f.tarball().length, f.metadata().isEmpty() ? null : f.metadata());
                return Panache.withTransaction(() -> SourceContent.store(source,
                                        new SourceContent(f.revision(), artifact.digest(), f.tarball()))
                                .chain(() -> SourceArtifact.store(source, artifact)))
                        .invoke(onStored)
                        .chain(() -> blocking.call(() -> {
                            status.patch(source, stored(outcome.object(), artifact));
                            LOG.infof("%s: stored %s (%s, %d bytes)", source, f.revision(), artifact.digest(), f.tarball().length);
                            return true;
                        }));
            }
            if (outcome.reason() == null) {
                LOG.warnf("%s: not storing %s: %s", source, revision.revision(), outcome.message());
                return Uni.createFrom().item(false);
            }
            return Panache.withSession(() -> SourceArtifact.last(source)).chain(last -> blocking.call(() -> {
                LOG.warnf("%s: %s: %s", source, outcome.reason(), outcome.message());
                status.patch(source, failed(outcome.object(), last == null ? null : last.artifact(), outcome.reason(),
                        outcome.message()));
                return false;
            }));
        });
    }

    /**
     * An OCIRepository or Bucket was deleted: its stored content and artifact go with it. Must run in a
     * {@link ReactiveRunner} pipeline.
     */
    Uni<Void> forget(ObjectKey source) {
        return Panache.withTransaction(() -> SourceContent.forget(source).chain(() -> SourceArtifact.forget(source)));
    }

    private Outcome fetchNow(ObjectKey source, SourceRevision revision) {
        HasMetadata object = OCIRepository.KIND.equals(source.kind())
                ? client.resources(OCIRepository.class).inNamespace(source.namespace()).withName(source.name()).get()
                : client.resources(Bucket.class).inNamespace(source.namespace()).withName(source.name()).get();
        if (object == null) {
            return new Outcome(null, null, null, "the " + source.kind() + " no longer exists");
        }
        SecretLookup lookup = name -> secrets.secretBytes(source.namespace(), name);
        try {
            FetchedArtifact fetched = object instanceof OCIRepository o
                    ? OciSources.fetch(o, revision.revision(), lookup, maxBytes)
                    : BucketSources.fetch((Bucket) object, lookup, maxBytes);
            if (!fetched.revision().equals(revision.revision())) {
                return new Outcome(null, object, null, "the bucket changed since it was listed (now "
                        + fetched.revision() + "); its next poll publishes that revision");
            }
            return new Outcome(fetched, object, null, null);
        } catch (ArtifactException e) {
            return new Outcome(null, object, e.reason(), e.getMessage());
        } catch (IllegalArgumentException e) {
            return new Outcome(null, object, ArtifactException.AUTHENTICATION_FAILED, e.getMessage());
        }
    }

    /** The status of a stored artifact: the artifact, {@code Ready=True} with Flux's message, {@code FetchFailed} gone. */
    static Map<String, Object> stored(HasMetadata object, Artifact artifact) {
        long generation = generation(object);
        List<Condition> conditions = new java.util.ArrayList<>(conditions(object) == null ? List.of() : conditions(object));
        conditions.removeIf(c -> "FetchFailed".equals(c.type()));
        String message = object instanceof OCIRepository ? "stored artifact for digest '" + artifact.revision() + "'"
                : "stored artifact: revision '" + artifact.revision() + "'";
        conditions = Conditions.set(conditions, Conditions.ready(true, generation, FluxReasons.SUCCEEDED, message));
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("conditions", conditions);
        status.put("artifact", artifactMap(artifact));
        if (object instanceof OCIRepository o && o.getSpec() != null) {
            status.put("observedIgnore", o.getSpec().ignore());
            status.put("observedLayerSelector", o.getSpec().layerSelector());
        } else if (object instanceof Bucket b && b.getSpec() != null) {
            status.put("observedIgnore", b.getSpec().ignore());
        }
        return status;
    }

    /** The status of a failed fetch: {@code Ready=False}, {@code FetchFailed=True}, the last stored artifact (if any). */
    static Map<String, Object> failed(HasMetadata object, Artifact last, String reason, String message) {
        long generation = generation(object);
        List<Condition> conditions = conditions(object);
        conditions = Conditions.set(conditions, new Condition("FetchFailed", "True", generation, null, reason, message));
        conditions = Conditions.set(conditions, Conditions.ready(false, generation, reason, message));
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("conditions", conditions);
        status.put("artifact", last == null ? null : artifactMap(last));
        return status;
    }

    private static Map<String, Object> artifactMap(Artifact a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("revision", a.revision());
        m.put("digest", a.digest());
        m.put("lastUpdateTime", a.lastUpdateTime());
        m.put("url", a.url());
        m.put("path", a.path());
        m.put("size", a.size());
        m.put("metadata", a.metadata());
        return m;
    }

    private static List<Condition> conditions(HasMetadata object) {
        if (object instanceof OCIRepository o) {
            return o.getStatus() == null ? null : o.getStatus().conditions();
        }
        return object instanceof Bucket b && b.getStatus() != null ? b.getStatus().conditions() : null;
    }

    private static long generation(HasMetadata o) {
        Long g = o.getMetadata().getGeneration();
        return g == null ? 0 : g;
    }
}

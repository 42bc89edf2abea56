package io.conflux.renderer.source;

import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.meta.FluxReasons;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.Artifact;
import io.conflux.model.source.GitRepository;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.conflux.service.StatusPatcher;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The fetch half of Flux's source-controller GitRepository reconciler ({@code reconcileSource}), as the renderer sees
 * it: the webhook-receiver resolves a revision with ls-remote (status {@code Ready=Unknown}, {@code Progressing}), the
 * renderer fetches it and writes the artifact.
 * This class remembers, per GitRepository, the last artifact whose content was fetched, and writes the outcome of each
 * fetch to the status (JSON merge patch, service-common's {@link StatusPatcher}). Its memory is a cache: as source-controller stores each
 * artifact it fetches, the caller stores the artifact {@link #artifactOf} returns (table {@code source_artifact}) before
 * {@link #fetched} reports it, and
 * hands a stored one back through {@link #stored} before reporting a failure, so that a restarted renderer still
 * serves the last good artifact.
 * <ul>
 *   <li>fetched: the whole {@code status.artifact} of the fetched revision (with Flux's required {@code digest} and
 *       {@code path}), {@code Ready=True} reason {@code Succeeded} and no {@code FetchFailed} condition;</li>
 *   <li>failed: {@code Ready=False} and {@code FetchFailed=True}, reason {@code GitOperationFailed}, the message naming
 *       the URL and the cause (source-controller's wording), and {@code status.artifact} back to the last artifact
 *       fetched — none when no fetch of the repository succeeded yet — so that its consumers keep reading the last
 *       good artifact, as Flux serves it while the repository is unreachable.</li>
 * </ul>
 * Blocking (fabric8 calls); a status that cannot be written is logged, never fails the caller.
 */
public final class GitArtifacts {
    private static final Logger LOG = Logger.getLogger(GitArtifacts.class);
    /** Flux's {@code sourcev1.FetchFailedCondition}. */
    public static final String FETCH_FAILED = "FetchFailed";

    private final KubernetesClient client;
    private final StatusPatcher status;
    private final Map<ObjectKey, Artifact> fetched = new ConcurrentHashMap<>();

    /**
     * @param client the management cluster, where GitRepositories are read
     * @param status writes their status (conflicts and transient failures retried)
     */
    public GitArtifacts(KubernetesClient client, StatusPatcher status) {
        this.client = client;
        this.status = status;
    }

    /** @return the last artifact of {@code source} whose content was fetched, if any is known */
    public Optional<Artifact> lastFetched(ObjectKey source) {
        return Optional.ofNullable(fetched.get(source));
    }

    /**
     * The artifact stored (by Conflux, as source-controller stores its artifacts) as the last one fetched of
     * {@code source}: it replaces the one in memory, which is at most as recent, and is what {@link #failed} serves.
     */
    public void stored(ObjectKey source, Artifact artifact) {
        fetched.put(source, artifact);
    }

    /** The GitRepository {@code source} was deleted: its last fetched artifact is forgotten. */
    public void forget(ObjectKey source) {
        fetched.remove(source);
    }

    /**
     * A GitRepository was seen on the cluster: a status artifact with a digest was fetched (the renderer writes the
     * digest after fetching; the receiver clears it with each new revision), which tells a restarted renderer its last
     * good artifact. One already known is kept.
     */
    public void seen(GitRepository repository) {
        Artifact a = repository.getStatus() == null ? null : repository.getStatus().artifact();
        if (a != null && a.revision() != null && a.digest() != null) {
            fetched.putIfAbsent(key(repository), a);
        }
    }

    /**
     * The artifact of a fetched revision, to be stored before anything reports it: its {@code lastUpdateTime} is kept
     * from the last fetched artifact or the status when they name the same revision, else now. Records nothing and
     * writes nothing; reads the GitRepository.
     *
     * @param digest the {@code ArtifactDigest} of the content, null when it could not be computed
     * @return the artifact, for the caller to store and then hand to {@link #fetched}
     */
    public Artifact artifactOf(ObjectKey source, String url, String revision, String digest) {
        Artifact before = fetched.get(source);
        GitRepository current = get(source);
        Artifact shown = current == null || current.getStatus() == null ? null : current.getStatus().artifact();
        String since = before != null && revision.equals(before.revision()) ? before.lastUpdateTime()
                : shown != null && revision.equals(shown.revision()) && shown.lastUpdateTime() != null
                ? shown.lastUpdateTime() : Conditions.now();
        return new Artifact(revision, digest, since, url, Artifact.path(GitRepository.KIND, source.namespace(),
                source.name(), digest));
    }

    /**
     * The artifact of a fetched revision was stored: records it as the last good artifact and writes it whole to
     * {@code status.artifact} ({@code revision}, {@code digest}, {@code lastUpdateTime}, {@code url}, {@code path}:
     * every field Flux's schema requires) with {@code Ready=True} reason {@code Succeeded} message {@code stored
     * artifact for revision '<rev>'} and no {@code FetchFailed}, as source-controller does once it has stored an
     * artifact (the receiver only says {@code Progressing} until then). Nothing is written when the status already
     * says exactly that, or when the digest could not be computed (the schema refuses an artifact without one; logged).
     * Called only once the artifact is durable, so that the status never reports an artifact a restarted renderer
     * would not find.
     */
    public void fetched(ObjectKey source, Artifact artifact) {
        fetched.put(source, artifact);
        GitRepository current = get(source);
        if (current == null) {
            return;
        }
        if (artifact.digest() == null) {
            LOG.errorf("%s: status.artifact of %s not written: its digest could not be computed", source,
                    artifact.revision());
            return;
        }
        String revision = artifact.revision();
        long generation = generation(current);
        Artifact shown = current.getStatus() == null ? null : current.getStatus().artifact();
        List<Condition> conditions = current.getStatus() == null || current.getStatus().conditions() == null
                ? List.of() : current.getStatus().conditions();
        boolean failed = Conditions.find(conditions, FETCH_FAILED).filter(Condition::isTrue).isPresent();
        boolean written = shown != null && revision.equals(shown.revision()) && artifact.digest().equals(shown.digest())
                && artifact.path() != null && artifact.path().equals(shown.path());
        if (written && !failed && Conditions.isReady(conditions, generation)) {
            return;
        }
        List<Condition> kept = new ArrayList<>(conditions);
        kept.removeIf(c -> FETCH_FAILED.equals(c.type()));
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("artifact", artifact(artifact));
        status.put("conditions", Conditions.set(kept, Conditions.ready(true, generation, FluxReasons.SUCCEEDED,
                "stored artifact for revision '" + revision + "'")));
        patch(source, status);
        if (failed) {
            LOG.infof("%s: fetched %s again, Ready=True", source, revision);
        }
    }

    /**
     * Fetching {@code revision} failed: {@code Ready=False} and {@code FetchFailed=True} with reason
     * {@code GitOperationFailed} and message {@code failed to checkout and determine revision: unable to clone
     * '<url>': <cause>}, and the last artifact fetched in {@code status.artifact} (none when there is none).
     */
    public void failed(ObjectKey source, String url, String revision, String cause) {
        GitRepository current = get(source);
        String message = "failed to checkout and determine revision: unable to clone '" + url + "': " + cause;
        LOG.warnf("%s: %s not fetched: %s", source, revision, message);
        if (current == null) {
            return;
        }
        long generation = generation(current);
        List<Condition> conditions = current.getStatus() == null ? null : current.getStatus().conditions();
        conditions = Conditions.set(conditions,
                new Condition(FETCH_FAILED, "True", generation, null, FluxReasons.GIT_OPERATION_FAILED, message));
        conditions = Conditions.set(conditions, Conditions.ready(false, generation, FluxReasons.GIT_OPERATION_FAILED, message));
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("conditions", conditions);
        Artifact last = fetched.get(source);
        status.put("artifact", last == null ? null : artifact(last));
        patch(source, status);
    }

    private static Map<String, Object> artifact(Artifact a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("revision", a.revision());
        m.put("digest", a.digest());
        m.put("lastUpdateTime", a.lastUpdateTime());
        m.put("url", a.url());
        m.put("path", a.path());
        return m;
    }

    private GitRepository get(ObjectKey source) {
        try {
            return client.resources(GitRepository.class).inNamespace(source.namespace()).withName(source.name()).get();
        } catch (KubernetesClientException e) {
            LOG.warnf("GitRepository %s not read: %s", source, e.getMessage());
            return null;
        }
    }

    private void patch(ObjectKey source, Map<String, Object> fields) {
        try {
            if (!status.patch(source, fields)) {
                LOG.debugf("status of %s not written: the GitRepository is gone", source);
            }
        } catch (KubernetesClientException e) {
            LOG.warnf("status of %s not written: %s", source, e.getMessage());
        }
    }

    private static ObjectKey key(GitRepository r) {
        return new ObjectKey(GitRepository.KIND, r.getMetadata().getNamespace(), r.getMetadata().getName());
    }

    private static long generation(GitRepository r) {
        Long g = r.getMetadata().getGeneration();
        return g == null ? 0 : g;
    }
}

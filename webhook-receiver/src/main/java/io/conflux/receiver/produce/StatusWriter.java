package io.conflux.receiver.produce;

import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.meta.FluxReasons;
import io.conflux.model.notification.Receiver;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.Revision;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes Flux status to {@code GitRepository}s and {@code Receiver}s on the management cluster, as JSON merge
 * patches of the status subresource (absent fields are kept, lists replaced), with the conditions and messages
 * Flux's source-controller and notification-controller write. Blocking (fabric8 calls).
 */
@ApplicationScoped
public class StatusWriter {
    /** Flux's {@code sourcev1.FetchFailedCondition}: True while the last fetch (here ls-remote) failed. */
    public static final String FETCH_FAILED = "FetchFailed";
    /** Annotation the {@code flux reconcile} CLI sets to request a reconciliation. */
    public static final String REQUESTED_AT = "reconcile.fluxcd.io/requestedAt";

    @Inject
    KubernetesClient client;

    /**
     * A revision was resolved: {@code observedGeneration}, {@code artifact} ({@code revision}, {@code lastUpdateTime},
     * {@code url}; a new revision clears {@code digest}, which the renderer fills in from the content), {@code Ready=True} reason {@code Succeeded} message {@code stored artifact for revision '<rev>'},
     * {@code FetchFailed} removed, and {@code lastHandledReconcileAt} echoing a {@code requestedAt} annotation.
     *
     * @param repo           the object as cached (its conditions are the base of the new list)
     * @param revision       the revision
     * @param lastUpdateTime RFC 3339 time the revision was first seen
     * @throws io.fabric8.kubernetes.client.KubernetesClientException when the object is gone or the patch fails
     */
    public void sourceStored(GitRepository repo, Revision revision, String lastUpdateTime) {
        long generation = generation(repo);
        List<Condition> conditions = new ArrayList<>(repo.getStatus() == null || repo.getStatus().conditions() == null
                ? List.of() : repo.getStatus().conditions());
        conditions.removeIf(c -> FETCH_FAILED.equals(c.type()));
        conditions = Conditions.set(conditions, Conditions.ready(true, generation, FluxReasons.SUCCEEDED,
                "stored artifact for revision '" + revision + "'"));
        Map<String, Object> artifact = new LinkedHashMap<>();
        artifact.put("revision", revision.toString());
        artifact.put("lastUpdateTime", lastUpdateTime);
        artifact.put("url", repo.getSpec().url());
        boolean sameRevision = repo.getStatus() != null && repo.getStatus().artifact() != null
                && revision.toString().equals(repo.getStatus().artifact().revision());
        if (!sameRevision) {
            artifact.put("digest", null); // the renderer digests the new revision's content; an old digest must go
        }
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("observedGeneration", generation);
        status.put("conditions", conditions);
        status.put("artifact", artifact);
        handled(repo, status);
        patch(GitRepository.class, repo.getMetadata().getNamespace(), repo.getMetadata().getName(), status);
    }

    /**
     * Resolving failed: {@code Ready=False} and {@code FetchFailed=True} with the reason (e.g.
     * {@code GitOperationFailed}) and the error; the last good {@code artifact} is kept.
     */
    public void sourceFailed(GitRepository repo, String reason, String message) {
        long generation = generation(repo);
        List<Condition> conditions = repo.getStatus() == null ? null : repo.getStatus().conditions();
        conditions = Conditions.set(conditions, new Condition(FETCH_FAILED, "True", generation, null, reason, message));
        conditions = Conditions.set(conditions, Conditions.ready(false, generation, reason, message));
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("conditions", conditions);
        handled(repo, status);
        patch(GitRepository.class, repo.getMetadata().getNamespace(), repo.getMetadata().getName(), status);
    }

    /**
     * @return whether the renderer could not fetch {@code revision}: {@code FetchFailed=True} and an artifact (or none)
     * other than that revision, the last one it fetched, which it put back as Flux's source-controller keeps serving
     * the last good artifact. The receiver itself never writes an artifact other than the revision it resolved.
     */
    public static boolean notFetched(GitRepository repo, Revision revision) {
        var s = repo.getStatus();
        return s != null && Conditions.find(s.conditions(), FETCH_FAILED).filter(Condition::isTrue).isPresent()
                && (s.artifact() == null || !revision.toString().equals(s.artifact().revision()));
    }

    /**
     * @return whether the cached status already says Ready for this revision and generation (then nothing to write)
     */
    public static boolean sourceCurrent(GitRepository repo, Revision revision) {
        var s = repo.getStatus();
        return s != null && s.artifact() != null && revision.toString().equals(s.artifact().revision())
                && Long.valueOf(generation(repo)).equals(s.observedGeneration())
                && Conditions.isReady(s.conditions(), generation(repo))
                && Conditions.find(s.conditions(), FETCH_FAILED).isEmpty();
    }

    /**
     * The Receiver is served: {@code webhookPath}, {@code observedGeneration}, {@code Ready=True} reason
     * {@code Succeeded} message {@code Receiver initialized for path: <path>} (Flux's wording).
     */
    public void receiverReady(Receiver receiver, String webhookPath) {
        long generation = generation(receiver);
        List<Condition> conditions = Conditions.set(receiver.getStatus() == null ? null : receiver.getStatus().conditions(),
                Conditions.ready(true, generation, FluxReasons.SUCCEEDED, "Receiver initialized for path: " + webhookPath));
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("observedGeneration", generation);
        status.put("conditions", conditions);
        status.put("webhookPath", webhookPath);
        patch(Receiver.class, receiver.getMetadata().getNamespace(), receiver.getMetadata().getName(), status);
    }

    /** The Receiver cannot be served (e.g. reason {@code TokenNotFound}); its webhook path is cleared. */
    public void receiverFailed(Receiver receiver, String reason, String message) {
        long generation = generation(receiver);
        List<Condition> conditions = Conditions.set(receiver.getStatus() == null ? null : receiver.getStatus().conditions(),
                Conditions.ready(false, generation, reason, message));
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("observedGeneration", generation);
        status.put("conditions", conditions);
        status.put("webhookPath", null);
        patch(Receiver.class, receiver.getMetadata().getNamespace(), receiver.getMetadata().getName(), status);
    }

    private static void handled(GitRepository repo, Map<String, Object> status) {
        String requested = requestedAt(repo);
        if (requested != null) {
            status.put("lastHandledReconcileAt", requested);
        }
    }

    private static String requestedAt(GitRepository repo) {
        var annotations = repo.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(REQUESTED_AT);
    }

    private static long generation(io.fabric8.kubernetes.api.model.HasMetadata o) {
        Long g = o.getMetadata().getGeneration();
        return g == null ? 0 : g;
    }

    private <T extends io.fabric8.kubernetes.api.model.HasMetadata> void patch(Class<T> type, String namespace, String name,
                                                                              Map<String, Object> status) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        client.resources(type).inNamespace(namespace).withName(name).subresource("status")
                .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(body));
    }
}

package io.conflux.receiver.decide;

import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.meta.FluxReasons;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.Revision;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The status of a {@code GitRepository} as source-controller writes it, as JSON merge patches of the status
 * subresource (absent fields are kept, lists replaced) for service-common's {@code StatusPatcher}: pure, no I/O.
 */
public final class SourceStatus {
    /** Flux's {@code sourcev1.FetchFailedCondition}: True while the last fetch (here ls-remote) failed. */
    public static final String FETCH_FAILED = "FetchFailed";
    /** Annotation the {@code flux reconcile} CLI sets to request a reconciliation. */
    public static final String REQUESTED_AT = "reconcile.fluxcd.io/requestedAt";

    private SourceStatus() {
    }

    /** Flux's {@code meta.ProgressingReason}: the reconciliation of a new revision is under way. */
    public static final String PROGRESSING = "Progressing";

    /**
     * A revision was resolved: {@code observedGeneration}, {@code FetchFailed} removed, {@code lastHandledReconcileAt}
     * echoing a {@code requestedAt} annotation, and {@code Ready}: when {@code status.artifact} already names the
     * revision (the renderer stored it), {@code True} reason {@code Succeeded} message {@code stored artifact for
     * revision '<rev>'}; else {@code Unknown} reason {@code Progressing} message {@code building artifact: new upstream
     * revision '<rev>'} (source-controller's wording while it builds an artifact). The receiver never writes
     * {@code status.artifact}: Flux's schema requires its {@code digest} and {@code path}, which only the renderer
     * knows once it has stored the content; until then the last stored artifact stays.
     *
     * @param repo     the object as cached (its conditions are the base of the new list)
     * @param revision the revision
     * @return the status merge patch
     */
    public static Map<String, Object> stored(GitRepository repo, Revision revision) {
        long generation = generation(repo);
        List<Condition> conditions = new ArrayList<>(repo.getStatus() == null || repo.getStatus().conditions() == null
                ? List.of() : repo.getStatus().conditions());
        conditions.removeIf(c -> FETCH_FAILED.equals(c.type()));
        boolean stored = repo.getStatus() != null && repo.getStatus().artifact() != null
                && revision.toString().equals(repo.getStatus().artifact().revision());
        conditions = Conditions.set(conditions, stored
                ? Conditions.ready(true, generation, FluxReasons.SUCCEEDED, "stored artifact for revision '" + revision + "'")
                : new Condition(Condition.READY, "Unknown", generation, Conditions.now(), PROGRESSING,
                        "building artifact: new upstream revision '" + revision + "'"));
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("observedGeneration", generation);
        status.put("conditions", conditions);
        handled(repo, status);
        return status;
    }

    /**
     * Resolving failed: {@code Ready=False} and {@code FetchFailed=True} with the reason (e.g.
     * {@code GitOperationFailed}) and the error; the last good {@code artifact} is kept.
     *
     * @return the status merge patch
     */
    public static Map<String, Object> failed(GitRepository repo, String reason, String message) {
        long generation = generation(repo);
        List<Condition> conditions = repo.getStatus() == null ? null : repo.getStatus().conditions();
        conditions = Conditions.set(conditions, new Condition(FETCH_FAILED, "True", generation, null, reason, message));
        conditions = Conditions.set(conditions, Conditions.ready(false, generation, reason, message));
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("conditions", conditions);
        handled(repo, status);
        return status;
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

    private static long generation(GitRepository o) {
        Long g = o.getMetadata().getGeneration();
        return g == null ? 0 : g;
    }
}

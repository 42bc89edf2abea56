package io.conflux.receiver.decide;

import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.meta.FluxReasons;
import io.conflux.model.source.Artifact;
import io.conflux.model.source.Bucket;
import io.conflux.model.source.BucketStatus;
import io.conflux.model.source.OCIRepository;
import io.conflux.model.source.OCIRepositoryStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The status of an {@code OCIRepository} or {@code Bucket} as source-controller writes it, as JSON merge patches for
 * service-common's {@code StatusPatcher}: pure, no I/O. Ready messages are Flux's: {@code stored artifact for digest
 * '<revision>'} (OCIRepository), {@code stored artifact: revision '<revision>'} (Bucket). The receiver writes the
 * revision it resolved; the renderer adds {@code digest}, {@code size} and {@code metadata} once it stored the content.
 */
public final class ArtifactSourceStatus {
    private ArtifactSourceStatus() {
    }

    /**
     * A revision was resolved: {@code observedGeneration}, {@code url}, {@code FetchFailed} removed,
     * {@code lastHandledReconcileAt}, and {@code Ready}: {@code True} reason {@code Succeeded} with Flux's message when
     * {@code status.artifact} already names the revision (the renderer stored it), else {@code Unknown} reason
     * {@code Progressing} message {@code building artifact: new upstream revision '<rev>'}. The receiver never writes
     * {@code status.artifact}: Flux's schema requires its {@code digest} and {@code path}, which the renderer writes
     * with the stored content.
     *
     * @param source   the object as cached
     * @param url      the source's URL ({@code spec.url}; a Bucket's {@code http(s)://endpoint/bucketName})
     * @param revision the revision
     * @return the status merge patch
     */
    public static Map<String, Object> stored(HasMetadata source, String url, String revision) {
        long generation = generation(source);
        List<Condition> conditions = new ArrayList<>(conditions(source) == null ? List.of() : conditions(source));
        conditions.removeIf(c -> SourceStatus.FETCH_FAILED.equals(c.type()));
        Artifact current = artifact(source);
        conditions = Conditions.set(conditions, current != null && revision.equals(current.revision())
                ? Conditions.ready(true, generation, FluxReasons.SUCCEEDED, readyMessage(source, revision))
                : new Condition(Condition.READY, "Unknown", generation, Conditions.now(), SourceStatus.PROGRESSING,
                        "building artifact: new upstream revision '" + revision + "'"));
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("observedGeneration", generation);
        status.put("conditions", conditions);
        status.put("url", url);
        handled(source, status);
        return status;
    }

    /**
     * Resolving failed: {@code Ready=False} and {@code FetchFailed=True} with Flux's reason and the message (naming
     * the field, URL or Secret); {@code observedGeneration}; the last good {@code artifact} is kept.
     *
     * @return the status merge patch
     */
    public static Map<String, Object> failed(HasMetadata source, String reason, String message) {
        long generation = generation(source);
        List<Condition> conditions = conditions(source);
        conditions = Conditions.set(conditions, new Condition(SourceStatus.FETCH_FAILED, "True", generation, null, reason, message));
        conditions = Conditions.set(conditions, Conditions.ready(false, generation, reason, message));
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("observedGeneration", generation);
        status.put("conditions", conditions);
        handled(source, status);
        return status;
    }

    /** @return whether the renderer could not fetch {@code revision} ({@code FetchFailed=True}, another artifact) */
    public static boolean notFetched(HasMetadata source, String revision) {
        Artifact a = artifact(source);
        return Conditions.find(conditions(source), SourceStatus.FETCH_FAILED).filter(Condition::isTrue).isPresent()
                && (a == null || !revision.equals(a.revision()));
    }

    /** @return whether the cached status already says Ready for this revision and generation */
    public static boolean current(HasMetadata source, String revision) {
        Artifact a = artifact(source);
        Long observed = source instanceof OCIRepository o && o.getStatus() != null ? o.getStatus().observedGeneration()
                : source instanceof Bucket b && b.getStatus() != null ? b.getStatus().observedGeneration() : null;
        return a != null && revision.equals(a.revision()) && Long.valueOf(generation(source)).equals(observed)
                && Conditions.isReady(conditions(source), generation(source))
                && Conditions.find(conditions(source), SourceStatus.FETCH_FAILED).isEmpty();
    }

    /** @return Flux's Ready message for a stored revision of {@code source}'s kind */
    public static String readyMessage(HasMetadata source, String revision) {
        return source instanceof OCIRepository ? "stored artifact for digest '" + revision + "'"
                : "stored artifact: revision '" + revision + "'";
    }

    static List<Condition> conditions(HasMetadata source) {
        if (source instanceof OCIRepository o) {
            OCIRepositoryStatus s = o.getStatus();
            return s == null ? null : s.conditions();
        }
        BucketStatus s = source instanceof Bucket b ? b.getStatus() : null;
        return s == null ? null : s.conditions();
    }

    static Artifact artifact(HasMetadata source) {
        if (source instanceof OCIRepository o) {
            return o.getStatus() == null ? null : o.getStatus().artifact();
        }
        return source instanceof Bucket b && b.getStatus() != null ? b.getStatus().artifact() : null;
    }

    private static void handled(HasMetadata source, Map<String, Object> status) {
        var annotations = source.getMetadata().getAnnotations();
        String requested = annotations == null ? null : annotations.get(SourceStatus.REQUESTED_AT);
        if (requested != null) {
            status.put("lastHandledReconcileAt", requested);
        }
    }

    private static long generation(HasMetadata o) {
        Long g = o.getMetadata().getGeneration();
        return g == null ? 0 : g;
    }
}

package io.conflux.receiver.consume;

import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.GitRepository;
import io.conflux.model.topic.Trigger;
import io.conflux.receiver.decide.PollScheduler;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code POST /api/reconcile/source/git/{namespace}/{name}}: reconciles the GitRepository at once (ls-remote, trigger
 * {@code manual}) and answers only when done, which is what the benchmarks ({@code bench/}) call to time a commit's
 * way to the clusters. The CLI does not use it: {@code conflux reconcile source git NAME}, like
 * {@code flux reconcile source git NAME}, sets the {@code reconcile.fluxcd.io/requestedAt} annotation, which
 * {@code GitRepositoryWatcher} handles. Part of the control API: only with the bearer token of
 * {@code conflux.receiver.control-token-file} ({@link ControlApiFilter}; 401/403 otherwise). Answers JSON
 * {@code {"source", "result": published|unchanged|failed|suspended|not_found, "revision", "message"}}: 200 when
 * published or unchanged, 502 when the Git remote failed, 409 when suspended, 404 when there is no such object.
 */
@Path("/api/reconcile/source/git")
public class ReconcileResource {
    @Inject
    PollScheduler scheduler;

    /**
     * @param namespace the GitRepository's namespace
     * @param name      its name
     * @return the outcome
     */
    @POST
    @Path("/{namespace}/{name}")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> reconcile(@PathParam("namespace") String namespace, @PathParam("name") String name) {
        ObjectKey key = new ObjectKey(GitRepository.KIND, namespace, name);
        return scheduler.reconcileNow(key, Trigger.MANUAL, null).map(outcome -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("source", key.toString());
            body.put("result", outcome.result().name().toLowerCase(Locale.ROOT));
            body.put("revision", outcome.revision());
            body.put("message", outcome.message());
            int status = switch (outcome.result()) {
                case PUBLISHED, UNCHANGED -> 200;
                case FAILED -> 502;
                case SUSPENDED -> 409;
                case NOT_FOUND -> 404;
            };
            return Response.status(status).entity(body).build();
        });
    }
}

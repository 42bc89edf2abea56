package io.conflux.receiver.consume;

import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.GitRepository;
import io.conflux.model.topic.SourceReconcileRequest;
import io.conflux.model.topic.Topics;
import io.conflux.model.topic.Trigger;
import io.conflux.receiver.decide.PollScheduler;
import io.conflux.service.Outbox;
import io.conflux.service.Ownership;
import io.conflux.service.ReactiveRunner;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
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
 * Only the replica owning the source reconciles it: on another replica the call adds a {@code SourceReconcileRequest}
 * to the outbox for the owner and answers 202 with {@code "result": "requested"} at once.
 */
@Path("/api/reconcile/source/git")
public class ReconcileResource {
    @Inject
    PollScheduler scheduler;
    @Inject
    Ownership ownership;
    @Inject
    Outbox outbox;
    @Inject
    ReactiveRunner runner;

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
        if (!ownership.owns(key)) {
            SourceReconcileRequest request = new SourceReconcileRequest(key.toString(), Trigger.MANUAL, null,
                    Instant.now().toString());
            return runner.run(b -> Panache.withTransaction(() -> outbox.add(Topics.RECONCILE_REQUESTS, key.toString(), request)))
                    .map(v -> {
                        Map<String, Object> body = new LinkedHashMap<>();
                        body.put("source", key.toString());
                        body.put("result", "requested");
                        body.put("message", "another replica owns the source; it will reconcile it");
                        return Response.status(202).entity(body).build();
                    });
        }
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

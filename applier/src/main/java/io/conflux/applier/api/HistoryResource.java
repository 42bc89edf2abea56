package io.conflux.applier.api;

import io.conflux.applier.persist.ReconcileHistory;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * {@code GET /api/history/{kind}/{namespace}/{name}?limit=N}: the object's reconciliation attempts, newest first —
 * what {@code conflux history kustomization NAME} prints.
 */
@Path("/api/history")
@Produces(MediaType.APPLICATION_JSON)
public class HistoryResource {

    /**
     * One attempt.
     *
     * @param durationMs wall time of the attempt in milliseconds
     * @param startedAt  RFC 3339
     */
    public record Attempt(String revision, String reason, boolean ready, String message, int created, int configured,
                          int deleted, long durationMs, String startedAt) {
    }

    /** @return up to {@code limit} (default 20, at most 500) attempts, newest first */
    @GET
    @Path("/{kind}/{namespace}/{name}")
    @WithSession
    public Uni<List<Attempt>> history(@PathParam("kind") String kind, @PathParam("namespace") String namespace,
                                      @PathParam("name") String name, @QueryParam("limit") @DefaultValue("20") int limit) {
        String key = kind + "/" + namespace + "/" + name;
        return ReconcileHistory.<ReconcileHistory>find("objectKey", Sort.descending("startedAt", "id"), key)
                .page(0, Math.max(1, Math.min(limit, 500))).list()
                .map(rows -> rows.stream().map(h -> new Attempt(h.sourceRevision, h.reason, h.ready, h.message,
                        h.created, h.configured, h.deleted, h.durationMs, h.startedAt.toString())).toList());
    }
}

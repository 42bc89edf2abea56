package io.conflux.applier.api;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.applier.persist.InventoryRecord;
import io.conflux.model.kustomize.ResourceInventory;
import io.conflux.model.kustomize.ResourceInventory.ResourceRef;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * {@code GET /api/inventory/{kind}/{namespace}/{name}}: the objects the applier last applied for a Kustomization or
 * HelmRelease, from its {@code inventory} row, in Flux's inventory shape ({@code {"entries":[{"id","v"}]}}). A
 * HelmRelease's v2 status has no {@code inventory} (Flux's schema prunes it), so this row is where {@code conflux tree}
 * reads a HelmRelease's objects. 404 when the applier has no row for the object.
 */
@Path("/api/inventory")
@Produces(MediaType.APPLICATION_JSON)
public class InventoryResource {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param kind      {@code Kustomization} or {@code HelmRelease}
     * @param namespace the object's namespace
     * @param name      the object's name
     * @return the inventory; fails with 404 when none is stored
     */
    @GET
    @Path("/{kind}/{namespace}/{name}")
    @WithSession
    public Uni<ResourceInventory> inventory(@PathParam("kind") String kind, @PathParam("namespace") String namespace,
                                            @PathParam("name") String name) {
        String key = kind + "/" + namespace + "/" + name;
        return InventoryRecord.<InventoryRecord>findById(key).map(row -> {
            if (row == null || row.entries == null) {
                throw new NotFoundException("no inventory stored for " + key);
            }
            try {
                List<ResourceRef> entries = JSON.readValue(row.entries, new TypeReference<>() { });
                return new ResourceInventory(entries);
            } catch (IOException e) {
                throw new UncheckedIOException("inventory row of " + key + " is not valid JSON", e);
            }
        });
    }
}

package io.conflux.applier.persist;

import io.conflux.model.topic.FluxEvent;
import io.conflux.model.topic.Topics;
import io.conflux.service.Outbox;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/**
 * The applier's per-object state in PostgreSQL ({@code desired_state}, {@code inventory}, {@code release_state},
 * {@code reconcile_history}): read in one short session before a reconcile, written in one transaction after it.
 * Call on a safe Vert.x context ({@link io.conflux.service.ReactiveRunner}).
 */
@ApplicationScoped
public class StateStore {
    @Inject
    Outbox outbox;

    /**
     * @param objectKey {@code Kind/namespace/name}
     * @return the object's stored state, read in one session; every part null when nothing is stored
     */
    public Uni<StoredState> load(String objectKey) {
        return Panache.withSession(() -> DesiredState.<DesiredState>findById(objectKey)
                .chain(desired -> InventoryRecord.<InventoryRecord>findById(objectKey)
                        .chain(inventory -> ReleaseState.<ReleaseState>findById(objectKey)
                                .map(release -> new StoredState(desired, inventory, release)))));
    }

    /**
     * Writes the outcome of one attempt in one transaction: its history rows in order, the inventory and release
     * state when given (inserted or updated by their key), and its events into the outbox ({@code applier_outbox},
     * published to {@code conflux.events} by the relay once committed) — so the events of an attempt exist exactly
     * when its state does.
     *
     * @param rows      history rows, inserted in order
     * @param inventory the object's new inventory row, or null to leave it
     * @param release   the HelmRelease's new release state, or null to leave it
     * @param events    the attempt's events, in order
     * @return a Uni completing once the transaction committed
     */
    public Uni<Void> save(List<ReconcileHistory> rows, InventoryRecord inventory, ReleaseState release,
                          List<FluxEvent> events) {
        return Panache.withTransaction(() -> Panache.getSession().chain(session -> {
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (ReconcileHistory row : rows) {
                chain = chain.chain(() -> session.persist(row));
            }
            if (inventory != null) {
                chain = chain.chain(() -> inventory.upsert(session));
            }
            if (release != null) {
                chain = chain.chain(() -> session.merge(release)).replaceWithVoid();
            }
            return publish(chain, events);
        }));
    }

    private Uni<Void> publish(Uni<Void> chain, List<FluxEvent> events) {
        for (FluxEvent event : events) {
            var o = event.involvedObject();
            chain = chain.chain(() -> outbox.add(Topics.EVENTS, o.kind() + "/" + o.namespace() + "/" + o.name(), event));
        }
        return chain;
    }

    /**
     * Forgets a deleted object: its desired state, inventory and release state, in one transaction, together with the
     * history rows and events (outbox) of its finalization. History rows of earlier attempts are kept.
     *
     * @return a Uni completing once the transaction committed
     */
    public Uni<Void> forget(String objectKey, List<ReconcileHistory> rows, List<FluxEvent> events) {
        return Panache.withTransaction(() -> Panache.getSession().chain(session -> {
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (ReconcileHistory row : rows) {
                chain = chain.chain(() -> session.persist(row));
            }
            return publish(chain.chain(() -> InventoryRecord.deleteById(objectKey))
                    .chain(() -> DesiredState.deleteById(objectKey))
                    .chain(() -> ReleaseState.deleteById(objectKey))
                    .replaceWithVoid(), events);
        }));
    }
}

package io.conflux.applier.consume;

import io.conflux.applier.reconcile.Reconciler;
import io.conflux.model.topic.RenderResult;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code conflux.render-results}: each result is reconciled; the offset is committed once the outcome is
 * persisted, written to the object's status and published (at-least-once; reconciling is idempotent).
 */
@ApplicationScoped
public class RenderResultConsumer {
    private static final Logger LOG = Logger.getLogger(RenderResultConsumer.class);

    @Inject
    Reconciler reconciler;

    @Incoming("render-results")
    public Uni<Void> onRenderResult(RenderResult result) {
        return reconciler.onRenderResult(result)
                .onFailure().invoke(e -> LOG.errorf(e, "reconciling %s at %s failed", result.object(), result.sourceRevision()));
    }
}

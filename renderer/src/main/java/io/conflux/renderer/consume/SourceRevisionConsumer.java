package io.conflux.renderer.consume;

import io.conflux.model.topic.SourceRevision;
import io.conflux.renderer.render.RenderCoordinator;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code conflux.source-revisions}: each new revision renders the Kustomizations of that source.
 * The offset is committed once the renders are persisted and published (at-least-once; renders are idempotent).
 */
@ApplicationScoped
public class SourceRevisionConsumer {
    private static final Logger LOG = Logger.getLogger(SourceRevisionConsumer.class);

    @Inject
    RenderCoordinator coordinator;

    @Incoming("source-revisions")
    public Uni<Void> onSourceRevision(SourceRevision revision) {
        return coordinator.onSourceRevision(revision)
                .onFailure().invoke(e -> LOG.errorf(e, "rendering for %s at %s failed", revision.source(), revision.revision()));
    }
}

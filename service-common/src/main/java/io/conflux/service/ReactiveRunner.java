package io.conflux.service;

import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * Runs a reactive pipeline on a fresh, safe Vert.x duplicated context — what Hibernate Reactive requires —
 * from any thread (Kafka handlers, fabric8 informer callbacks), and offloads blocking steps (JGit, kustomize)
 * to the worker pool, resuming on that context.
 */
@ApplicationScoped
public class ReactiveRunner {
    @Inject
    Vertx vertx;

    /**
     * @param work builds the pipeline, given a way to run blocking code
     * @return a Uni that runs {@code work} on its own context when subscribed; the OpenTelemetry context current when
     *         {@code run} is called is current on that context too (so spans and outbox rows of the work belong to the
     *         caller's trace, {@link TraceContext})
     */
    public <T> Uni<T> run(Function<Blocking, Uni<T>> work) {
        io.opentelemetry.context.Context trace = io.opentelemetry.context.Context.current();
        return Uni.createFrom().emitter(em -> {
            Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
            VertxContextSafetyToggle.setContextSafe(context, true);
            Blocking blocking = new Blocking(context);
            context.runOnContext(v -> {
                // on this fresh duplicated context Quarkus keeps the OpenTelemetry context in the Vert.x context's
                // local data, so it stays current for the continuations and blocking steps of the pipeline and ends
                // with the context (not closed here: instrumented clients nest their own spans on the same context)
                if (trace != io.opentelemetry.context.Context.root()) {
                    trace.makeCurrent();
                }
                Uni<T> pipeline;
                try {
                    pipeline = work.apply(blocking);
                } catch (RuntimeException e) {
                    em.fail(e);
                    return;
                }
                pipeline.subscribe().with(em::complete, em::fail);
            });
        });
    }

    /** Runs blocking code on the worker pool and resumes on the pipeline's context. */
    public static final class Blocking {
        private final Context context;

        Blocking(Context context) {
            this.context = context;
        }

        /** @return a Uni of the callable's result, computed on a worker thread */
        public <T> Uni<T> call(Callable<T> code) {
            return Uni.createFrom().completionStage(() -> context.executeBlocking(code, false).toCompletionStage());
        }
    }
}

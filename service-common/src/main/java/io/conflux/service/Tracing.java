package io.conflux.service;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.common.header.Headers;

/**
 * The spans of one push across the services. Every service's Kafka consumer wraps its handling of a record in
 * {@link #consume}: a {@code CONSUMER} span, child of the producer's context carried in the record's
 * {@code traceparent} header ({@link TraceContext}). The work a record leads to — the render of a Kustomization or
 * HelmRelease (renderer), its apply (applier), a notification's delivery (notifier) — is an {@code INTERNAL} span,
 * child of the current context ({@link #span}), which the services' queues and timers carry from the consumer's span
 * to where the work runs. So the spans of one push — the webhook request (Quarkus' HTTP server span in the receiver),
 * source reconcile, render, apply, delivery — share one trace id. Outbox rows written during a span keep its context,
 * and the relay sends it on with the next record.
 *
 * <p>Uses the service's {@link OpenTelemetry} (Quarkus' {@code quarkus-opentelemetry}, configured by the
 * {@code quarkus.otel.*} keys); with the SDK disabled (the default, {@code quarkus.otel.sdk.disabled=true}) spans are
 * no-ops and nothing is exported.
 */
@ApplicationScoped
public class Tracing {
    /** The instrumentation scope of Conflux's own spans. */
    public static final String SCOPE = "io.conflux";
    /** The span attribute naming the Flux object a span works on, {@code Kind/namespace/name}. */
    public static final String OBJECT = "conflux.object";

    @Inject
    Instance<OpenTelemetry> openTelemetry;
    /** Set for instances built by hand; null: the CDI {@link #openTelemetry}. */
    private final OpenTelemetry fixed;

    /** For CDI. */
    public Tracing() {
        this.fixed = null;
    }

    /**
     * For code built by hand (tests, hand-assembled coordinators).
     *
     * @param openTelemetry the spans' OpenTelemetry; {@link OpenTelemetry#noop()} records nothing
     */
    public Tracing(OpenTelemetry openTelemetry) {
        this.fixed = java.util.Objects.requireNonNull(openTelemetry);
    }

    /** @return tracing that records nothing */
    public static Tracing off() {
        return new Tracing(OpenTelemetry.noop());
    }

    /**
     * @param name    the span's name, {@code <topic> process} by OpenTelemetry's messaging conventions
     * @param key     the record key ({@code Kind/namespace/name}), set as attribute {@value #OBJECT}
     * @param headers the record's headers (its {@code traceparent} is the parent); null: a new trace
     * @param work    the handler's work, assembled and subscribed with the span current (called again on each
     *                subscription)
     * @return the work's Uni; the span ends when it terminates (failed: status ERROR)
     */
    public <T> Uni<T> consume(String name, String key, Headers headers, Supplier<Uni<T>> work) {
        return Uni.createFrom().deferred(() -> within(TraceContext.fromTraceparent(TraceContext.traceparent(headers)),
                SpanKind.CONSUMER, name, key, work));
    }

    /**
     * A unit of work inside the current trace: the render of one object, its apply, one delivery.
     *
     * @param name the span's name (low cardinality: {@code render}, {@code apply}, {@code deliver})
     * @param key  the object worked on ({@code Kind/namespace/name}), set as attribute {@value #OBJECT}
     * @param work the work, assembled and subscribed with the span current (called again on each subscription)
     * @return the work's Uni; the span, child of the context current when {@code span} is called (none: a new
     *         trace), starts at each subscription and ends when the work terminates (failed: status ERROR) or is
     *         cancelled
     */
    public <T> Uni<T> span(String name, String key, Supplier<Uni<T>> work) {
        Context parent = Context.current();
        return Uni.createFrom().deferred(() -> within(parent, SpanKind.INTERNAL, name, key, work));
    }

    /**
     * Starts the span and makes it current while {@code work} is assembled and subscribed to, so that work deferred
     * to its subscription (e.g. {@link Retrying}'s) and pipelines started then ({@link ReactiveRunner}, which keep
     * the context current where they run) belong to the span.
     */
    private <T> Uni<T> within(Context parent, SpanKind kind, String name, String key, Supplier<Uni<T>> work) {
        Span span = otel().getTracer(SCOPE).spanBuilder(name).setParent(parent).setSpanKind(kind)
                .setAttribute(OBJECT, key == null ? "" : key).startSpan();
        AtomicBoolean ended = new AtomicBoolean();
        Consumer<Throwable> end = failure -> {
            if (ended.compareAndSet(false, true)) {
                if (failure != null) {
                    span.setStatus(StatusCode.ERROR, failure.getClass().getSimpleName());
                }
                span.end();
            }
        };
        return Uni.createFrom().emitter(emitter -> {
            Scope scope = parent.with(span).makeCurrent();
            try {
                Cancellable subscription = work.get().subscribe().with(item -> {
                    end.accept(null);
                    emitter.complete(item);
                }, failure -> {
                    end.accept(failure);
                    emitter.fail(failure);
                });
                emitter.onTermination(() -> {
                    subscription.cancel();
                    end.accept(null);
                });
            } catch (RuntimeException e) {
                end.accept(e);
                emitter.fail(e);
            } finally {
                scope.close();
            }
        });
    }

    private OpenTelemetry otel() {
        if (fixed != null) {
            return fixed;
        }
        return openTelemetry != null && openTelemetry.isResolvable() ? openTelemetry.get() : OpenTelemetry.noop();
    }
}

package io.conflux.service;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.function.Supplier;
import org.apache.kafka.common.header.Headers;

/**
 * One span per handled Kafka record, child of the producer's context carried in the record's {@code traceparent}
 * header ({@link TraceContext}): every service's consumer wraps its work in {@link #consume}, so that the spans of
 * one push — webhook, source reconcile, render, apply, notification — share one trace id. Outbox rows written
 * during the work keep the span's context, and the relay sends it on with the next record.
 *
 * <p>Uses the service's {@link OpenTelemetry} (Quarkus' {@code quarkus-opentelemetry}); with the SDK disabled (the
 * default) spans are no-ops and nothing is exported.
 */
@ApplicationScoped
public class Tracing {
    @Inject
    Instance<OpenTelemetry> openTelemetry;

    /** For CDI. */
    public Tracing() {
    }

    /**
     * @param name    the span's name, {@code <topic> process} by OpenTelemetry's messaging conventions
     * @param key     the record key ({@code Kind/namespace/name}), set as attribute {@code conflux.object}
     * @param headers the record's headers (its {@code traceparent} is the parent); null: a new trace
     * @param work    the handler's work, assembled with the span current (called again on each subscription)
     * @return the work's Uni; the span ends when it terminates (failed: status ERROR)
     */
    public <T> Uni<T> consume(String name, String key, Headers headers, Supplier<Uni<T>> work) {
        OpenTelemetry otel = openTelemetry.isResolvable() ? openTelemetry.get() : OpenTelemetry.noop();
        return Uni.createFrom().deferred(() -> {
            Context parent = TraceContext.fromTraceparent(TraceContext.traceparent(headers));
            Span span = otel.getTracer("io.conflux").spanBuilder(name).setParent(parent)
                    .setSpanKind(SpanKind.CONSUMER).setAttribute("conflux.object", key == null ? "" : key)
                    .startSpan();
            Uni<T> uni;
            Scope scope = parent.with(span).makeCurrent();
            try {
                uni = work.get();
            } catch (RuntimeException e) {
                span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
                span.end();
                throw e;
            } finally {
                scope.close();
            }
            return uni.onItemOrFailure().invoke((item, failure) -> {
                if (failure != null) {
                    span.setStatus(StatusCode.ERROR, failure.getClass().getSimpleName());
                }
                span.end();
            });
        });
    }
}

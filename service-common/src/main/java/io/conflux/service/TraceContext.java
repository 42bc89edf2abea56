package io.conflux.service;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The OpenTelemetry context across Conflux's asynchronous hops: Kafka record headers (W3C {@code traceparent}, as
 * the W3C Trace Context recommendation and OpenTelemetry's Kafka instrumentation carry it), outbox rows (the column
 * {@code trace_context} keeps the producing span's {@code traceparent}), and the service's own queues and timers
 * ({@link KeyedSerialQueue}, {@link Requeue}, {@link ReactiveRunner} capture the caller's context and make it current
 * where the work runs). With tracing off (the default, {@code quarkus.otel.sdk.disabled=true}) every context is
 * empty: nothing is written and nothing is extracted.
 */
public final class TraceContext {
    /** The W3C header (and the outbox column's content): {@code 00-<32 hex trace id>-<16 hex span id>-<2 hex flags>}. */
    public static final String TRACEPARENT = "traceparent";

    private static final TextMapGetter<Map<String, String>> MAP = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private TraceContext() {
    }

    /** @return the {@code traceparent} of the current span, null when there is no valid span (tracing off) */
    public static String traceparent() {
        if (!Span.current().getSpanContext().isValid()) {
            return null;
        }
        Map<String, String> carrier = new HashMap<>();
        W3CTraceContextPropagator.getInstance().inject(Context.current(), carrier, Map::put);
        return carrier.get(TRACEPARENT);
    }

    /**
     * @param traceparent a W3C {@code traceparent}, may be null
     * @return the root context with that remote span as parent; the root context when null or malformed
     */
    public static Context fromTraceparent(String traceparent) {
        if (traceparent == null || traceparent.isBlank()) {
            return Context.root();
        }
        return W3CTraceContextPropagator.getInstance().extract(Context.root(), Map.of(TRACEPARENT, traceparent), MAP);
    }

    /**
     * @param headers a Kafka record's headers, may be null
     * @return the last {@code traceparent} header's value, null when absent
     */
    public static String traceparent(Headers headers) {
        if (headers == null) {
            return null;
        }
        Header header = headers.lastHeader(TRACEPARENT);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /**
     * Sets the {@code traceparent} header (replacing any), when there is one.
     *
     * @param headers     a producer record's headers
     * @param traceparent the value, null: nothing is set
     */
    public static void inject(Headers headers, String traceparent) {
        if (traceparent != null) {
            headers.remove(TRACEPARENT);
            headers.add(TRACEPARENT, traceparent.getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * @param work work to run later, possibly on another thread
     * @return the same work, run with the caller's current context made current (the caller's context is captured
     *         now)
     */
    public static <T> Supplier<T> wrap(Supplier<T> work) {
        Context captured = Context.current();
        if (captured == Context.root()) {
            return work;
        }
        return () -> {
            Scope scope = captured.makeCurrent();
            try {
                return work.get();
            } finally {
                scope.close();
            }
        };
    }

    /** @return the trace ids of {@code traceparents}' well-formed values (tests and diagnostics) */
    public static List<String> traceIds(List<String> traceparents) {
        return traceparents.stream().map(TraceContext::fromTraceparent).map(c -> Span.fromContext(c).getSpanContext())
                .filter(s -> s.isValid()).map(s -> s.getTraceId()).toList();
    }
}

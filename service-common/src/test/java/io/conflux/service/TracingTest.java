package io.conflux.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Tracing}'s spans are current where the work runs, also for work deferred to its subscription (as
 * {@link Retrying}'s is), so that outbox rows written there carry the span on; each span's parent is the record's
 * {@code traceparent} ({@link Tracing#consume}) or the context current when the work was handed over
 * ({@link Tracing#span}).
 */
class TracingTest {
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PRODUCER_SPAN = "00f067aa0ba902b7";

    private final List<SpanData> ended = new CopyOnWriteArrayList<>();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
            .addSpanProcessor(new SpanProcessor() {
                @Override
                public void onStart(Context parentContext, ReadWriteSpan span) {
                }

                @Override
                public boolean isStartRequired() {
                    return false;
                }

                @Override
                public void onEnd(ReadableSpan span) {
                    ended.add(span.toSpanData());
                }

                @Override
                public boolean isEndRequired() {
                    return true;
                }
            }).build()).build();
    private final Tracing tracing = new Tracing(sdk);

    @AfterEach
    void close() {
        sdk.close();
    }

    @Test
    void workDeferredToItsSubscriptionRunsInTheRecordsSpan() {
        RecordHeaders headers = new RecordHeaders();
        TraceContext.inject(headers, "00-" + TRACE_ID + "-" + PRODUCER_SPAN + "-01");
        AtomicReference<String> seen = new AtomicReference<>();
        // as Retrying wraps a handler: the work is only called when subscribed
        String result = tracing.consume("conflux.render-results process", "Kustomization/apps/podinfo", headers,
                () -> Uni.createFrom().deferred(() -> {
                    seen.set(TraceContext.traceparent());
                    return Uni.createFrom().item("done");
                })).await().indefinitely();

        assertThat(result).isEqualTo("done");
        assertThat(ended).hasSize(1);
        SpanData consumed = ended.get(0);
        assertThat(consumed.getTraceId()).isEqualTo(TRACE_ID);
        assertThat(consumed.getParentSpanId()).isEqualTo(PRODUCER_SPAN);
        assertThat(consumed.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey(Tracing.OBJECT)))
                .isEqualTo("Kustomization/apps/podinfo");
        assertThat(seen.get()).as("the outbox would write the consumer span, not the producer's")
                .isEqualTo("00-" + TRACE_ID + "-" + consumed.getSpanId() + "-01");
    }

    @Test
    void aSpanIsAChildOfTheContextCurrentWhenTheWorkIsHandedOverAndEndsWithAFailure() {
        Span handing = sdk.getTracer("test").spanBuilder("conflux.render-results process").startSpan();
        Uni<String> apply;
        Scope handed = Context.current().with(handing).makeCurrent();
        try {
            apply = tracing.span("apply", "Kustomization/apps/podinfo",
                    () -> Uni.createFrom().failure(new IllegalStateException("refused")));
        } finally {
            handed.close();
        }
        handing.end();
        // subscribed later, elsewhere (a queue's worker): the parent is still the one it was handed over in
        assertThat(apply.onFailure().recoverWithItem("failed").await().indefinitely()).isEqualTo("failed");

        SpanData applied = ended.stream().filter(s -> s.getName().equals("apply")).findFirst().orElseThrow();
        assertThat(applied.getParentSpanId()).isEqualTo(handing.getSpanContext().getSpanId());
        assertThat(applied.getTraceId()).isEqualTo(handing.getSpanContext().getTraceId());
        assertThat(applied.getStatus().getStatusCode()).isEqualTo(io.opentelemetry.api.trace.StatusCode.ERROR);
    }
}

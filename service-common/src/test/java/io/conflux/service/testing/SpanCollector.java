package io.conflux.service.testing;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test's span exporter, shipped in service-common's test-jar: a {@link SpanProcessor} keeping every ended span in
 * memory (as OpenTelemetry's {@link SpanData}), so a test can follow a trace id. Thread-safe; nothing is ever dropped.
 *
 * <p>Hand-built tracer providers add it with {@code SdkTracerProvider.builder().addSpanProcessor(collector)}
 * ({@code TracingTest}). In a {@code @QuarkusTest} it must be a bean (Quarkus adds every {@link SpanProcessor} bean to
 * its tracer provider); the test-jar is not a bean archive, so the service's tests produce it, e.g.
 * {@code @Produces @Singleton SpanCollector spans() { return new SpanCollector(); }}.
 */
public class SpanCollector implements SpanProcessor {
    private final List<SpanData> ended = new CopyOnWriteArrayList<>();

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

    /** @return the spans ended so far, oldest first */
    public List<SpanData> spans() {
        return List.copyOf(ended);
    }
}

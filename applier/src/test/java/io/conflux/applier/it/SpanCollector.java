package io.conflux.applier.it;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The applier tests' span exporter: a {@link SpanProcessor} bean (Quarkus adds every such bean to its tracer provider)
 * keeping every ended span in memory, so a test can follow a trace id through the service.
 */
@Singleton
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

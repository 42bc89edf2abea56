package io.conflux.applier.it;

import io.conflux.service.testing.SpanCollector;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Makes service-common's test {@link SpanCollector} a bean of the applier's test application, so Quarkus adds it to
 * its tracer provider (it does so for every {@code SpanProcessor} bean) and a test can inject it to follow a trace id.
 */
@Singleton
public class TestSpans {
    /** @return the one collector of the test application's ended spans */
    @Produces
    @Singleton
    SpanCollector spans() {
        return new SpanCollector();
    }
}

package io.conflux.receiver.consume;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * Keeps webhook addresses out of exported traces: a {@code /hook/<digest>} path is all a {@code generic} Receiver's
 * caller needs to know, so the HTTP server span of a webhook request (Quarkus' instrumentation records {@code url.path}
 * and, for some versions, {@code http.target} and {@code url.full}) is rewritten at its start to
 * {@code /hook/{digest}}, the route's template. Quarkus adds every {@link SpanProcessor} bean to its tracer provider;
 * with tracing off (the default) it is never called.
 */
@Singleton
public class HookPathRedaction implements SpanProcessor {
    static final String TEMPLATE = "/hook/{digest}";
    private static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
    private static final AttributeKey<String> HTTP_TARGET = AttributeKey.stringKey("http.target");
    private static final AttributeKey<String> URL_FULL = AttributeKey.stringKey("url.full");

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
        for (AttributeKey<String> key : List.of(URL_PATH, HTTP_TARGET, URL_FULL)) {
            String value = span.getAttribute(key);
            if (value != null && value.contains("/hook/")) {
                span.setAttribute(key, redact(value));
            }
        }
    }

    /** @return {@code value} with every {@code /hook/<digest>} segment replaced by the template, query dropped */
    static String redact(String value) {
        int at = value.indexOf("/hook/");
        return value.substring(0, at) + TEMPLATE;
    }

    @Override
    public boolean isStartRequired() {
        return true;
    }

    @Override
    public void onEnd(ReadableSpan span) {
    }

    @Override
    public boolean isEndRequired() {
        return false;
    }
}

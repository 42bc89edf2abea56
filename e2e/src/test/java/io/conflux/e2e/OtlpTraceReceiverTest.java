package io.conflux.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * {@link OtlpTraceReceiver} decodes what an OTLP/HTTP exporter posts ({@code POST <endpoint>/v1/traces}, binary
 * protobuf): the spans of {@link ObservabilityEndToEndTest} depend on it. It once received nothing because the proto
 * classes could not load on the e2e classpath (protobuf runtime older than their gencode).
 */
class OtlpTraceReceiverTest {
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String SPAN_ID = "00f067aa0ba902b7";

    @Test
    void anExportedSpanIsDecodedWithItsServiceIdsAndAttributes() throws Exception {
        HexFormat hex = HexFormat.of();
        ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder().addResourceSpans(
                ResourceSpans.newBuilder()
                        .setResource(Resource.newBuilder().addAttributes(text("service.name", "conflux-applier")))
                        .addScopeSpans(ScopeSpans.newBuilder().addSpans(Span.newBuilder()
                                .setTraceId(ByteString.copyFrom(hex.parseHex(TRACE_ID)))
                                .setSpanId(ByteString.copyFrom(hex.parseHex(SPAN_ID)))
                                .setName("apply").setKind(Span.SpanKind.SPAN_KIND_INTERNAL)
                                .addAttributes(text("conflux.object", "Kustomization/apps/podinfo")))))
                .build();
        try (OtlpTraceReceiver receiver = new OtlpTraceReceiver()) {
            HttpResponse<byte[]> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(receiver.endpoint() + "/v1/traces"))
                    .header("Content-Type", "application/x-protobuf").timeout(Duration.ofMinutes(1))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(request.toByteArray())).build(),
                    HttpResponse.BodyHandlers.ofByteArray());

            assertThat(receiver.failures()).isEmpty();
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(receiver.trace(TRACE_ID)).singleElement().satisfies(s -> {
                assertThat(s.service()).isEqualTo("conflux-applier");
                assertThat(s.spanId()).isEqualTo(SPAN_ID);
                assertThat(s.parentSpanId()).isEmpty();
                assertThat(s.name()).isEqualTo("apply");
                assertThat(s.kind()).isEqualTo("SPAN_KIND_INTERNAL");
                assertThat(s.attribute("conflux.object")).isEqualTo("Kustomization/apps/podinfo");
            });
        }
    }

    private static KeyValue text(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }
}

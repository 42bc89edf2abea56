package io.conflux.model.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.model.topic.RenderResult;
import io.conflux.model.topic.SourceRevision;
import org.junit.jupiter.api.Test;

/** Object keys as read from Kafka records: parsed, or refused with an IllegalArgumentException saying why. */
class ObjectKeyTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void parsesKindNamespaceName() {
        assertThat(ObjectKey.parse("Kustomization/flux-system/apps"))
                .isEqualTo(new ObjectKey("Kustomization", "flux-system", "apps"));
        assertThatThrownBy(() -> ObjectKey.parse("Kustomization/apps")).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("<kind>/<namespace>/<name>");
    }

    /** Found by FluxDecodingFuzzTest: a record without its key field ended in a NullPointerException. */
    @Test
    void recordWithoutItsKeyFieldIsRefusedNotANullPointer() throws Exception {
        RenderResult result = JSON.readValue("{\"generation\":2,\"error\":\"boom\"}", RenderResult.class);
        assertThatThrownBy(result::objectKey).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("missing object key <kind>/<namespace>/<name>");
        SourceRevision revision = JSON.readValue("{\"revision\":\"main@sha1:" + "a".repeat(40) + "\"}", SourceRevision.class);
        assertThatThrownBy(revision::sourceKey).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("missing object key <kind>/<namespace>/<name>");
    }
}

package io.conflux.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class JsonBoundsTest {

    @Test
    void theCustomizedMapperRefusesDeepDocumentsAndHasADocumentLengthBound() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        new JsonBounds().customize(mapper);

        assertThat(mapper.getFactory().streamReadConstraints().getMaxDocumentLength())
                .as("unbounded by Jackson's default").isEqualTo(256L << 20);
        assertThat(mapper.readTree("[".repeat(1_000) + "]".repeat(1_000)).isArray()).isTrue();
        assertThatThrownBy(() -> mapper.readTree("[".repeat(10_000) + "]".repeat(10_000)))
                .isInstanceOf(StreamConstraintsException.class)
                .hasMessageContaining("nesting depth (1001) exceeds the maximum allowed (1000");
    }
}

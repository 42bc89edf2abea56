package io.conflux.receiver.consume;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A webhook's address never reaches a trace: its digest is replaced by the route's template. */
class HookPathRedactionTest {
    private static final String DIGEST = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    @Test
    void theDigestOfPathTargetAndUrlIsReplaced() {
        assertThat(HookPathRedaction.redact("/hook/" + DIGEST)).isEqualTo("/hook/{digest}");
        assertThat(HookPathRedaction.redact("/hook/" + DIGEST + "?x=1")).isEqualTo("/hook/{digest}");
        assertThat(HookPathRedaction.redact("http://receiver:9292/hook/" + DIGEST))
                .isEqualTo("http://receiver:9292/hook/{digest}").doesNotContain(DIGEST);
    }
}

package io.conflux.receiver.decide;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ControlAccessTest {
    private static final String TOKEN = "0123456789abcdef0123456789abcdef";

    @Test
    void onlyTheConfiguredBearerTokenPasses() {
        assertThat(ControlAccess.check("Bearer " + TOKEN, TOKEN)).isEqualTo(new ControlAccess(true, 0, null));
        assertThat(ControlAccess.check("bearer " + TOKEN, TOKEN + "\n").allowed()).isTrue();

        ControlAccess missing = ControlAccess.check(null, TOKEN);
        assertThat(missing.allowed()).isFalse();
        assertThat(missing.status()).isEqualTo(401);
        assertThat(ControlAccess.check("Basic " + TOKEN, TOKEN).status()).isEqualTo(401);
        ControlAccess wrong = ControlAccess.check("Bearer " + TOKEN.substring(1), TOKEN);
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.message()).doesNotContain(TOKEN.substring(1));
        assertThat(ControlAccess.check("Bearer ", TOKEN).status()).isEqualTo(401);
    }

    @Test
    void withoutAConfiguredTokenTheControlApiIsOff() {
        for (String none : new String[] {null, "", "  \n"}) {
            ControlAccess off = ControlAccess.check("Bearer ", none);
            assertThat(off.allowed()).isFalse();
            assertThat(off.status()).isEqualTo(403);
            assertThat(off.message()).contains("conflux.receiver.control-token-file");
        }
    }
}

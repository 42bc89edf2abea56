package io.conflux.flowbad.decide;

import io.conflux.flowbad.consume.Handler;

/** Fixture for FlowRulesTest: a domain class reaching back into consume (forbidden). */
public final class Decision {
    /** @return the consumer's answer */
    public String decide() {
        return new Handler().handle();
    }
}

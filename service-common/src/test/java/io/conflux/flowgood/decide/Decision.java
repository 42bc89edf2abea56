package io.conflux.flowgood.decide;

/** Fixture for FlowRulesTest: a domain class depending on nothing of the flow's edges. */
public final class Decision {
    /** @return a constant */
    public String decide() {
        return "ok";
    }
}

package io.conflux.flowgood.consume;

import io.conflux.flowgood.decide.Decision;

/** Fixture for FlowRulesTest: a consumer calling the domain (allowed). */
public final class Handler {
    /** @return the decision's answer */
    public String handle() {
        return new Decision().decide();
    }
}

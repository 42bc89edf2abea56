package io.conflux.flowbad.consume;

/** Fixture for FlowRulesTest: a consumer. */
public final class Handler {
    /** @return a constant */
    public String handle() {
        return "consumed";
    }
}

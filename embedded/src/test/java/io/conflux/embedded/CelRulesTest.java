package io.conflux.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link CelRules} on schemas of its own, for what Flux v2.7's CRDs do not exercise: transition rules
 * ({@code oldSelf}), {@code messageExpression}, {@code fieldPath} and {@code reason}, and the skip of a rule
 * cel-java cannot compile.
 */
class CelRulesTest {

    static ObjectNode json(String text) {
        return (ObjectNode) Json.read(text);
    }

    static final JsonNode SCHEMA = json("""
        {"type": "object", "properties": {"spec": {"type": "object",
          "x-kubernetes-validations": [
            {"rule": "self.replicas <= self.max", "messageExpression": "'replicas ' + string(self.replicas) + ' over ' + string(self.max)"},
            {"rule": "!has(self.forbidden)", "reason": "FieldValueForbidden", "message": "not here", "fieldPath": ".forbidden"},
            {"rule": "isURL(self.url)"}],
          "properties": {
            "replicas": {"type": "integer"}, "max": {"type": "integer"}, "url": {"type": "string"},
            "forbidden": {"type": "string"},
            "name": {"type": "string", "x-kubernetes-validations": [{"rule": "self == oldSelf", "message": "name is immutable"}]}}}}}
        """);

    @Test
    void falseRulesBecomeCausesWithTheirMessageReasonAndFieldPath() {
        List<FieldError> errors = CelRules.evaluate(
            json("{\"spec\": {\"replicas\": 5, \"max\": 3, \"forbidden\": \"x\", \"url\": \"http://x\"}}"), null, SCHEMA);
        assertThat(errors).extracting(FieldError::field, FieldError::reason, FieldError::message).containsExactly(
            org.assertj.core.groups.Tuple.tuple("spec", "FieldValueInvalid", "Invalid value: \"object\": replicas 5 over 3"),
            org.assertj.core.groups.Tuple.tuple("spec.forbidden", "FieldValueForbidden", "Forbidden: not here"));
    }

    @Test
    void transitionRulesHoldOnCreateAndCompareOnUpdate() {
        ObjectNode created = json("{\"spec\": {\"name\": \"a\", \"replicas\": 1, \"max\": 3}}");
        assertThat(CelRules.evaluate(created, null, SCHEMA)).isEmpty();
        assertThat(CelRules.evaluate(json("{\"spec\": {\"name\": \"a\", \"replicas\": 1, \"max\": 3}}"), created, SCHEMA)).isEmpty();
        assertThat(CelRules.evaluate(json("{\"spec\": {\"name\": \"b\", \"replicas\": 1, \"max\": 3}}"), created, SCHEMA))
            .extracting(FieldError::text).containsExactly("spec.name: Invalid value: \"string\": name is immutable");
    }

    @Test
    void aRuleWithAKubernetesLibraryFunctionIsSkipped() {
        assertThat(CelRules.program("isURL(self.url)")).isEmpty();
        assertThat(CelRules.program("self.replicas <= self.max")).isPresent();
    }
}

package io.conflux.embedded;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One cause of a {@code 422 Invalid} answer, as kube-apiserver reports it in {@code details.causes[]}.
 *
 * @param field   the field path as kube-apiserver writes it: {@code spec.prune}, {@code spec.healthChecks[0].name},
 *                {@code spec.values[key]} for a map entry; never empty (the root is {@code <nil>} there, not used here)
 * @param pointer the place whose value decides the error, as a JSON pointer into the object, to compare it between
 *                the old and new object (validation ratcheting): the field itself, or for a missing required field
 *                the object that lacks it
 * @param reason  Kubernetes' {@code CauseType}: {@code FieldValueRequired}, {@code FieldValueInvalid},
 *                {@code FieldValueTypeInvalid}, {@code FieldValueNotSupported}, {@code FieldValueTooLong},
 *                {@code FieldValueTooMany}, {@code FieldValueForbidden}, {@code FieldValueDuplicate}
 * @param message the cause's message without the field, e.g. {@code Required value} or
 *                {@code Invalid value: "x": spec.url in body should match '^(http|https|ssh)://.*$'}
 */
record FieldError(String field, JsonPointer pointer, String reason, String message) {

    /** @return {@code field: message}, one item of the Status message */
    String text() {
        return field + ": " + message;
    }

    /** Adds this cause to {@code causes}. */
    void addTo(com.fasterxml.jackson.databind.node.ArrayNode causes) {
        ObjectNode c = causes.addObject();
        c.put("reason", reason).put("message", message).put("field", field);
    }

    /** @return a value as Kubernetes prints it in {@code Invalid value: ...}: strings quoted, numbers plain */
    static String show(JsonNode value) {
        if (value == null || value.isNull()) {
            return "null";
        }
        if (value.isTextual()) {
            return Json.write(value);
        }
        if (value.isObject()) {
            return "\"object\"";
        }
        if (value.isArray()) {
            return "[]interface {}{...}";
        }
        return value.toString();
    }
}

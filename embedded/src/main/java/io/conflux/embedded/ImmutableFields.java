package io.conflux.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A few of the fields the real API server refuses to change once an object exists, so that clients meet the same
 * {@code 422 Invalid ... field is immutable} they would on a cluster: a Job's {@code spec.selector} and
 * {@code spec.template}, a Deployment's {@code spec.selector}, and a Service's {@code spec.clusterIP} once set (an
 * update that leaves it out keeps the allocated value, as the real server fills it in).
 */
final class ImmutableFields {
    private ImmutableFields() {
    }

    /** A refused change: the field path ({@code spec.template}) and the kind's qualified name ({@code Job.batch}). */
    record Violation(String field, String qualifiedKind, String name, JsonNode value) {
        /** @return the API server's message, e.g. {@code Job.batch "x" is invalid: spec.template: Invalid value: ...: field is immutable} */
        String message() {
            return qualifiedKind + " \"" + name + "\" is invalid: " + field + ": Invalid value: " + Json.write(value)
                + ": field is immutable";
        }
    }

    /**
     * Checks an update of {@code before} into {@code after} (both full objects of the same kind); may fill in
     * {@code after}'s Service clusterIP from {@code before}.
     *
     * @param group the API group of the path ({@code ""} for core)
     * @return the first violated field, or empty
     */
    static Optional<Violation> check(String group, String plural, ObjectNode before, ObjectNode after) {
        String name = before.path("metadata").path("name").asText();
        List<List<String>> fields;
        String qualified;
        if ("batch".equals(group) && "jobs".equals(plural)) {
            fields = List.of(List.of("spec", "selector"), List.of("spec", "template"));
            qualified = "Job.batch";
        } else if ("apps".equals(group) && "deployments".equals(plural)) {
            fields = List.of(List.of("spec", "selector"));
            qualified = "Deployment.apps";
        } else if (group.isEmpty() && "services".equals(plural)) {
            JsonNode old = ManagedFields.get(before, List.of("spec", "clusterIP"));
            if (old == null || old.asText().isEmpty()) {
                return Optional.empty();
            }
            JsonNode now = ManagedFields.get(after, List.of("spec", "clusterIP"));
            if (now == null || now.asText().isEmpty()) {
                Json.object(after, "spec").set("clusterIP", old);
                return Optional.empty();
            }
            return old.equals(now) ? Optional.empty()
                : Optional.of(new Violation("spec.clusterIP", "Service", name, now));
        } else {
            return Optional.empty();
        }
        for (List<String> field : fields) {
            JsonNode old = ManagedFields.get(before, field);
            JsonNode now = ManagedFields.get(after, field);
            if (old != null && !Objects.equals(old, now)) {
                return Optional.of(new Violation(String.join(".", field), qualified, name,
                    now == null ? Json.MAPPER.nullNode() : now));
            }
        }
        return Optional.empty();
    }
}

package io.conflux.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * What kube-apiserver does to a custom resource on every write (create, update, patch, apply; the main resource
 * and the {@code status} subresource) against the schema of the version the client wrote: {@link SchemaPruning},
 * then {@link SchemaDefaulting}, then {@link SchemaValidation} and the {@code x-kubernetes-validations} rules
 * ({@link CelRules}). Refused writes get the API server's {@code 422 Invalid} Status: message
 * {@code Kind.group "name" is invalid: field: message} (several in {@code [...]}, comma-separated), {@code details}
 * with name, group, kind and {@code causes[]} ({@code reason}, {@code message}, {@code field}).
 *
 * <p>On an update, a violation at a place whose value the write did not change is not reported (Kubernetes'
 * validation ratcheting), so a stored object that an older schema accepted can still have its status written.
 */
final class CustomResourceAdmission {

    private static final Logger LOG = Logger.getLogger(CustomResourceAdmission.class);

    private CustomResourceAdmission() {
    }

    /**
     * Prunes and defaults {@code after} in place, then validates it.
     *
     * @param type    the custom type written
     * @param version the version in the request path (its schema applies)
     * @param before  the stored object on an update, null on a create
     * @param after   the object to be stored (the whole object, also for a status write)
     * @return a {@code 422 Invalid} answer, or empty when {@code after} may be stored
     */
    static Optional<MockResponse> admit(CrdRegistry.CustomType type, String version, ObjectNode before,
                                        ObjectNode after) {
        Optional<JsonNode> schema = type.schema(version);
        if (schema.isEmpty()) {
            return Optional.empty();
        }
        List<String> dropped = SchemaPruning.prune(after, schema.get());
        if (!dropped.isEmpty()) {
            LOG.debugf("%s %s: unknown fields pruned: %s", type.qualifiedKind(), name(after), dropped);
        }
        SchemaDefaulting.apply(after, schema.get());
        List<FieldError> errors = new ArrayList<>(SchemaValidation.validate(after, schema.get()));
        errors.addAll(CelRules.evaluate(after, before, schema.get()));
        if (before != null) {
            errors.removeIf(e -> unchanged(before, after, e));
        }
        if (errors.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(invalid(type.kind(), type.group(), name(after), errors));
    }

    private static boolean unchanged(ObjectNode before, ObjectNode after, FieldError e) {
        JsonNode old = before.at(e.pointer());
        JsonNode now = after.at(e.pointer());
        return old.equals(now);
    }

    private static String name(ObjectNode object) {
        return object.path("metadata").path("name").asText();
    }

    /**
     * @return kube-apiserver's {@code 422 Invalid} answer for {@code errors} on object {@code name} of {@code kind}
     *         in {@code group}
     */
    static MockResponse invalid(String kind, String group, String name, List<FieldError> errors) {
        List<String> texts = errors.stream().map(FieldError::text).toList();
        String message = (group.isEmpty() ? kind : kind + "." + group) + " \"" + name + "\" is invalid: "
            + (texts.size() == 1 ? texts.get(0) : "[" + String.join(", ", texts) + "]");
        ObjectNode s = Json.MAPPER.createObjectNode();
        s.put("kind", "Status").put("apiVersion", "v1").put("status", "Failure").put("message", message)
            .put("reason", "Invalid").put("code", 422);
        s.putObject("metadata");
        ObjectNode details = s.putObject("details").put("name", name).put("group", group).put("kind", kind);
        ArrayNode causes = details.putArray("causes");
        errors.forEach(e -> e.addTo(causes));
        return new MockResponse().setResponseCode(422).setHeader("Content-Type", "application/json")
            .setBody(Json.write(s));
    }
}

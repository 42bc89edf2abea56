package io.conflux.embedded;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What kube-apiserver (apiextensions-apiserver) does on a write of a CustomResourceDefinition:
 * <ul>
 *   <li>refuses ({@code 422 Invalid}) a CRD without exactly one {@code storage: true} version
 *       ({@code spec.versions}), a change of {@code spec.scope} ({@code field is immutable}), and a
 *       {@code status.storedVersions} entry that is not in {@code spec.versions} — so an update that drops a
 *       version objects may still be stored in is refused until the version is removed from
 *       {@code status.storedVersions} (by a write of the status subresource, as after a storage migration);</li>
 *   <li>maintains the status as the API server's controllers do at once: {@code acceptedNames} from
 *       {@code spec.names}, conditions {@code NamesAccepted} ({@code NoConflicts}) and {@code Established}
 *       ({@code InitialNamesAccepted}) True, each {@code lastTransitionTime} kept while the status is unchanged,
 *       and {@code storedVersions}: the stored list plus the current storage version (never shrunk by a write of
 *       the main resource);</li>
 *   <li>as kube-apiserver's naming controller ({@code apiextensions-apiserver/pkg/controller/status}), refuses names
 *       another CRD of the same group already holds: a plural, singular or short name equal to another's plural,
 *       singular or short name, or a kind equal to another's kind or list kind (and the other way round) gives
 *       {@code NamesAccepted=False} (reason {@code PluralConflict}, {@code SingularConflict},
 *       {@code ShortNamesConflict}, {@code KindConflict} or {@code ListKindConflict}, message
 *       {@code "<name>" is already in use}), the conflicting names are left out of {@code acceptedNames}, and a CRD
 *       not Established before stays {@code Established=False} ({@code NotAccepted}) — the one way a CRD is held
 *       un-Established on a real API server.</li>
 * </ul>
 */
final class CrdLifecycle {

    private CrdLifecycle() {
    }

    /**
     * Checks a CRD write and fills in {@code after}'s status.
     *
     * @param before the stored CRD on an update, null on a create
     * @param after  the CRD to be stored (whole object), modified in place
     * @param status whether the write is to the {@code status} subresource (its {@code storedVersions} is then the
     *               client's, checked, not merged)
     * @param others the other stored CRDs (any group; those of other groups are ignored)
     * @return a {@code 422 Invalid} answer, or empty when {@code after} may be stored
     */
    static Optional<MockResponse> admit(ObjectNode before, ObjectNode after, boolean status,
                                        List<CrdRegistry.CustomType> others) {
        String name = after.path("metadata").path("name").asText();
        List<FieldError> errors = new ArrayList<>();
        JsonNode versions = after.path("spec").path("versions");
        Set<String> declared = new LinkedHashSet<>();
        String storage = null;
        int storageCount = 0;
        for (JsonNode v : versions) {
            declared.add(v.path("name").asText());
            if (v.path("storage").asBoolean(false)) {
                storage = v.path("name").asText();
                storageCount++;
            }
        }
        if (storageCount != 1) {
            errors.add(new FieldError("spec.versions", JsonPointer.compile("/spec/versions"), "FieldValueInvalid",
                "Invalid value: []apiextensions.CustomResourceDefinitionVersion{...}: must have exactly one version "
                    + "marked as storage version"));
        }
        if (before != null && !before.path("spec").path("scope").equals(after.path("spec").path("scope"))) {
            errors.add(new FieldError("spec.scope", JsonPointer.compile("/spec/scope"), "FieldValueInvalid",
                "Invalid value: " + FieldError.show(after.path("spec").path("scope")) + ": field is immutable"));
        }
        ObjectNode st = Json.object(after, "status");
        List<String> stored = new ArrayList<>();
        JsonNode source = status ? st.path("storedVersions")
            : before == null ? Json.MAPPER.createArrayNode() : before.path("status").path("storedVersions");
        source.forEach(v -> stored.add(v.asText()));
        if (!status && storage != null && !stored.contains(storage)) {
            stored.add(storage);
        }
        for (int i = 0; i < stored.size(); i++) {
            if (!declared.contains(stored.get(i))) {
                errors.add(new FieldError("status.storedVersions[" + i + "]",
                    JsonPointer.compile("/status/storedVersions/" + i), "FieldValueInvalid",
                    "Invalid value: \"" + stored.get(i) + "\": must appear in spec.versions"));
            }
        }
        if (status && storage != null && !stored.contains(storage)) {
            errors.add(new FieldError("status.storedVersions", JsonPointer.compile("/status/storedVersions"),
                "FieldValueInvalid", "Invalid value: []string{...}: must have the storage version " + storage));
        }
        if (!errors.isEmpty()) {
            return Optional.of(CustomResourceAdmission.invalid("CustomResourceDefinition", "apiextensions.k8s.io",
                name, errors));
        }
        ArrayNode storedNode = st.putArray("storedVersions");
        stored.forEach(storedNode::add);
        JsonNode oldConditions = before == null ? Json.MAPPER.createArrayNode()
            : before.path("status").path("conditions");
        Optional<String[]> conflict = NameConflicts.find(name, after.path("spec"), others);
        ArrayNode conditions = st.putArray("conditions");
        if (conflict.isEmpty()) {
            st.set("acceptedNames", after.path("spec").path("names").deepCopy());
            conditions.add(condition(oldConditions, "NamesAccepted", "NoConflicts", "no conflicts found"));
            conditions.add(condition(oldConditions, "Established", "InitialNamesAccepted",
                "the initial names have been accepted"));
            return Optional.empty();
        }
        st.set("acceptedNames", NameConflicts.accepted(after.path("spec"), others));
        conditions.add(falseCondition(oldConditions, "NamesAccepted", conflict.get()[0], conflict.get()[1]));
        boolean wasEstablished = false;
        for (JsonNode o : oldConditions) {
            wasEstablished |= "Established".equals(o.path("type").asText()) && "True".equals(o.path("status").asText());
        }
        conditions.add(wasEstablished
            ? condition(oldConditions, "Established", "InitialNamesAccepted", "the initial names have been accepted")
            : falseCondition(oldConditions, "Established", "NotAccepted", "not all names are accepted"));
        return Optional.empty();
    }

    private static ObjectNode falseCondition(JsonNode old, String type, String reason, String message) {
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.put("type", type).put("status", "False");
        String since = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        for (JsonNode o : old) {
            if (type.equals(o.path("type").asText()) && "False".equals(o.path("status").asText())
                && o.hasNonNull("lastTransitionTime")) {
                since = o.get("lastTransitionTime").asText();
            }
        }
        c.put("lastTransitionTime", since).put("reason", reason).put("message", message);
        return c;
    }

    private static ObjectNode condition(JsonNode old, String type, String reason, String message) {
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.put("type", type).put("status", "True");
        String since = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        for (JsonNode o : old) {
            if (type.equals(o.path("type").asText()) && "True".equals(o.path("status").asText())
                && o.hasNonNull("lastTransitionTime")) {
                since = o.get("lastTransitionTime").asText();
            }
        }
        c.put("lastTransitionTime", since).put("reason", reason).put("message", message);
        return c;
    }
}

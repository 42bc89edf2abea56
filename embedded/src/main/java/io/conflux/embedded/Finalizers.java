package io.conflux.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * {@code metadata.finalizers} as the API server honours them (Kubernetes' "Using Finalizers" and the apiserver's
 * graceful deletion): a DELETE of an object that has finalizers does not remove it but sets
 * {@code metadata.deletionTimestamp} (now, seconds) and {@code metadata.deletionGracePeriodSeconds: 0}, stores it
 * (watchers see MODIFIED) and answers 200 with the object; a DELETE of an object already being deleted changes nothing.
 * Once a write (update, patch, apply) leaves an object being deleted without finalizers, it is removed (DELETED). A
 * write adding a finalizer to an object being deleted is refused with 422 Invalid, as
 * {@code metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted}; a write
 * cannot clear or change {@code deletionTimestamp}.
 */
final class Finalizers {
    private Finalizers() {
    }

    /**
     * @return the answer to a DELETE of an object that has finalizers, or null when the object has none (or does not
     *         exist) and the DELETE proceeds as usual
     */
    static MockResponse delete(Dispatcher store, RecordedRequest request, ResourcePath target) {
        MockResponse current = store.dispatch(ApiServerDispatcher.copy(request, HttpMethod.GET, target.render(), ""));
        if (current.code() != 200 || current.getBody() == null) {
            return null;
        }
        ObjectNode object = (ObjectNode) Json.read(current.getBody().readUtf8());
        if (finalizers(object).isEmpty()) {
            return null;
        }
        ObjectNode meta = Json.object(object, "metadata");
        if (meta.hasNonNull("deletionTimestamp")) {
            return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                .setBody(Json.write(object));
        }
        meta.put("deletionTimestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        meta.put("deletionGracePeriodSeconds", 0);
        meta.remove("resourceVersion");
        return store.dispatch(ApiServerDispatcher.copy(request, HttpMethod.PUT, target.render(), Json.write(object)));
    }

    /**
     * Checks a write of an object: {@code after} keeps {@code before}'s {@code deletionTimestamp} and
     * {@code deletionGracePeriodSeconds} (server-owned), and adds no finalizer to an object being deleted.
     *
     * @return the 422 message when the write adds a finalizer to an object being deleted, else empty
     */
    static Optional<String> check(ObjectNode before, ObjectNode after) {
        JsonNode deletion = before.path("metadata").get("deletionTimestamp");
        if (deletion == null || deletion.isNull()) {
            return Optional.empty();
        }
        ObjectNode meta = Json.object(after, "metadata");
        meta.set("deletionTimestamp", deletion);
        JsonNode grace = before.path("metadata").get("deletionGracePeriodSeconds");
        if (grace != null) {
            meta.set("deletionGracePeriodSeconds", grace);
        }
        Set<String> added = finalizers(after);
        added.removeAll(finalizers(before));
        if (!added.isEmpty()) {
            return Optional.of(before.path("kind").asText() + " \"" + before.path("metadata").path("name").asText()
                + "\" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being"
                + " deleted, found new finalizers " + added);
        }
        return Optional.empty();
    }

    /**
     * After a successful write: removes the object when it is being deleted and has no finalizer left.
     *
     * @return the answer to give: {@code written}, or the store's answer to the removal
     */
    static MockResponse completeDeletion(Dispatcher store, RecordedRequest request, ResourcePath target,
                                         MockResponse written) {
        MockResponse current = store.dispatch(ApiServerDispatcher.copy(request, HttpMethod.GET, target.render(), ""));
        if (current.code() != 200 || current.getBody() == null) {
            return written;
        }
        JsonNode object = Json.read(current.getBody().readUtf8());
        JsonNode deletion = object.path("metadata").get("deletionTimestamp");
        if (deletion == null || deletion.isNull() || !finalizers(object).isEmpty()) {
            return written;
        }
        store.dispatch(ApiServerDispatcher.copy(request, HttpMethod.DELETE, target.render(), ""));
        return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
            .setBody(Json.write(object));
    }

    private static Set<String> finalizers(JsonNode object) {
        Set<String> out = new HashSet<>();
        object.path("metadata").path("finalizers").forEach(f -> out.add(f.asText()));
        return out;
    }
}

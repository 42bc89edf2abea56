package io.conflux.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The core/v1 {@code Event} API as a view of the {@code events.k8s.io/v1} store, as kube-apiserver serves them: one
 * store, two representations, so an Event written through either group is read through both. {@code kubectl events}
 * (and {@code kubectl describe}) read core/v1 Events; Conflux's notifier writes events.k8s.io/v1 ones.
 *
 * <p>The field mapping is Kubernetes' conversion between the two groups ({@code pkg/apis/events/v1}):
 * {@code note}↔{@code message}, {@code regarding}↔{@code involvedObject}, {@code related}↔{@code related},
 * {@code reportingController}↔{@code reportingComponent}, {@code reportingInstance}↔{@code reportingInstance},
 * {@code deprecatedSource}↔{@code source}, {@code deprecatedFirstTimestamp}↔{@code firstTimestamp},
 * {@code deprecatedLastTimestamp}↔{@code lastTimestamp}, {@code deprecatedCount}↔{@code count}; {@code metadata},
 * {@code eventTime}, {@code series}, {@code action}, {@code reason} and {@code type} are the same in both.
 *
 * <p>Served on {@code /api/v1/events} and {@code /api/v1/namespaces/<ns>/events[/<name>]}: list (with
 * {@code labelSelector} and kube-apiserver's core Event {@code fieldSelector} labels: {@code metadata.name},
 * {@code metadata.namespace}, {@code involvedObject.kind|namespace|name|uid|apiVersion|resourceVersion|fieldPath},
 * {@code reason}, {@code reportingComponent}, {@code source}, {@code type}; {@code =}, {@code ==} and {@code !=}
 * terms; another label is {@code 400 BadRequest} "field label not supported", as there), get, create, update, JSON
 * patch, merge and strategic-merge patch (an Event has no list with a merge key, so both merge the same), delete. Not served:
 * watch and delete-collection of core/v1 Events ({@code 405 MethodNotAllowed} naming the events.k8s.io/v1
 * alternative). {@code limit} is ignored: a list is always complete (no {@code continue}), which clients accept.
 */
final class CoreEventsView {
    /** The store's group version. */
    static final String EVENTS_V1 = "events.k8s.io/v1";

    /** events.k8s.io/v1 field → core/v1 field, for the fields whose names differ. */
    private static final Map<String, String> TO_CORE = Map.of(
        "note", "message",
        "regarding", "involvedObject",
        "reportingController", "reportingComponent",
        "deprecatedSource", "source",
        "deprecatedFirstTimestamp", "firstTimestamp",
        "deprecatedLastTimestamp", "lastTimestamp",
        "deprecatedCount", "count");
    /** The inverse of {@link #TO_CORE}. */
    private static final Map<String, String> TO_EVENTS_V1;

    static {
        Map<String, String> inverse = new LinkedHashMap<>();
        TO_CORE.forEach((v1, core) -> inverse.put(core, v1));
        TO_EVENTS_V1 = Map.copyOf(inverse);
    }

    /** kube-apiserver's field labels of core/v1 Events ({@code pkg/registry/core/event}'s {@code ToSelectableFields}). */
    static final Set<String> FIELD_LABELS = Set.of("metadata.name", "metadata.namespace", "involvedObject.kind",
        "involvedObject.namespace", "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion",
        "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type");

    private CoreEventsView() {
    }

    /** @return whether {@code path} addresses core/v1 Events (the view), not events.k8s.io/v1 ones */
    static boolean handles(ResourcePath path) {
        return path.group().isEmpty() && "v1".equals(path.version()) && "events".equals(path.plural());
    }

    /**
     * Serves one core/v1 Event request from the events.k8s.io/v1 store.
     *
     * @param store   the CRUD store (fabric8's dispatcher), given events.k8s.io/v1 requests
     * @param request the client's request (already authorized as core {@code events})
     * @param path    its parsed path ({@link #handles} holds)
     * @return the answer in core/v1 form (Status answers unchanged)
     */
    static MockResponse dispatch(Dispatcher store, RecordedRequest request, ResourcePath path) {
        ResourcePath stored = new ResourcePath("events.k8s.io", "v1", path.namespace(), "events", path.name(), null,
            null);
        Map<String, String> query = query(path.query());
        String method = request.getMethod();
        if (path.subresource() != null) {
            return ApiServerDispatcher.status(404, "NotFound", "the server could not find the requested resource");
        }
        if ("GET".equals(method) && path.name() == null) {
            if ("true".equals(query.get("watch")) || "1".equals(query.get("watch"))) {
                return notServed("watch");
            }
            return list(store, request, stored, query);
        }
        if ("GET".equals(method)) {
            return toCoreResponse(store.dispatch(ApiServerDispatcher.copy(request, HttpMethod.GET, stored.render(), "")));
        }
        if ("DELETE".equals(method)) {
            if (path.name() == null) {
                return notServed("deletecollection");
            }
            return toCoreResponse(store.dispatch(ApiServerDispatcher.copy(request, HttpMethod.DELETE, stored.render(),
                request.getBody() == null ? "" : request.getUtf8Body())));
        }
        String body = request.getBody() == null ? "" : request.getUtf8Body();
        JsonNode sent = body.isBlank() ? null : Json.read(body);
        String type = request.getHeader("Content-Type");
        if ("PATCH".equals(method) && path.name() != null && type != null
            && type.startsWith("application/json-patch+json") && sent instanceof ArrayNode operations) {
            return patch(store, request, stored, core -> io.fabric8.zjsonpatch.JsonPatch.apply(operations, core));
        }
        if (!(sent instanceof ObjectNode object)) {
            return ApiServerDispatcher.status(400, "BadRequest", "the request body is not a core/v1 Event object");
        }
        if ("POST".equals(method) && path.name() == null) {
            ObjectNode v1 = toEventsV1(object);
            if (path.namespace() != null && !Json.object(v1, "metadata").hasNonNull("namespace")) {
                Json.object(v1, "metadata").put("namespace", path.namespace());
            }
            return toCoreResponse(store.dispatch(ApiServerDispatcher.copy(request, HttpMethod.POST,
                stored.collection().render(), Json.write(v1))));
        }
        if ("PUT".equals(method) && path.name() != null) {
            return toCoreResponse(store.dispatch(ApiServerDispatcher.copy(request, HttpMethod.PUT, stored.render(),
                Json.write(toEventsV1(object)))));
        }
        if ("PATCH".equals(method) && path.name() != null && type != null
            && (type.startsWith("application/merge-patch+json") || type.startsWith("application/strategic-merge-patch+json"))) {
            return patch(store, request, stored, core -> Json.mergePatch(core, object));
        }
        return ApiServerDispatcher.status(405, "MethodNotAllowed", method + " " + request.getPath()
            + " (content type " + type + ") is not served for core/v1 Events by the in-memory API server");
    }

    /** Reads the stored Event, patches its core/v1 form and stores the result. */
    private static MockResponse patch(Dispatcher store, RecordedRequest request, ResourcePath stored,
                                      java.util.function.UnaryOperator<JsonNode> patch) {
        MockResponse current = store.dispatch(ApiServerDispatcher.copy(request, HttpMethod.GET, stored.render(), ""));
        if (current.code() != 200) {
            return current;
        }
        JsonNode patched;
        try {
            patched = patch.apply(toCore((ObjectNode) Json.read(current.getBody().readUtf8())));
        } catch (RuntimeException e) {
            return ApiServerDispatcher.status(422, "Invalid", "the patch cannot be applied: " + e.getMessage());
        }
        if (!(patched instanceof ObjectNode after)) {
            return ApiServerDispatcher.status(422, "Invalid", "the patch does not yield an Event object");
        }
        Json.object(after, "metadata").remove("resourceVersion");
        return toCoreResponse(store.dispatch(ApiServerDispatcher.copy(request, HttpMethod.PUT, stored.render(),
            Json.write(toEventsV1(after)))));
    }

    private static MockResponse list(Dispatcher store, RecordedRequest request, ResourcePath stored,
                                     Map<String, String> query) {
        List<Term> terms;
        try {
            terms = fieldSelector(query.getOrDefault("fieldSelector", ""));
        } catch (IllegalArgumentException e) {
            return ApiServerDispatcher.status(400, "BadRequest", e.getMessage());
        }
        ResourcePath listed = query.containsKey("labelSelector")
            ? new ResourcePath(stored.group(), stored.version(), stored.namespace(), stored.plural(), null, null,
                "labelSelector=" + java.net.URLEncoder.encode(query.get("labelSelector"), StandardCharsets.UTF_8))
            : stored.collection();
        MockResponse response = store.dispatch(ApiServerDispatcher.copy(request, HttpMethod.GET, listed.render(), ""));
        if (response.code() != 200 || response.getBody() == null) {
            return response;
        }
        ObjectNode list = (ObjectNode) Json.read(response.getBody().readUtf8());
        ArrayNode items = Json.MAPPER.createArrayNode();
        for (JsonNode item : list.path("items")) {
            if (item instanceof ObjectNode event) {
                ObjectNode core = toCore(event);
                if (terms.stream().allMatch(t -> t.matches(core))) {
                    items.add(core);
                }
            }
        }
        list.put("kind", "EventList").put("apiVersion", "v1");
        list.set("items", items);
        return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
            .setBody(Json.write(list));
    }

    /**
     * @param event an events.k8s.io/v1 Event
     * @return the same Event as core/v1 sees it (a new object)
     */
    static ObjectNode toCore(ObjectNode event) {
        ObjectNode core = rename(event, TO_CORE);
        core.put("apiVersion", "v1");
        core.put("kind", "Event");
        return core;
    }

    /**
     * @param core a core/v1 Event
     * @return the same Event as events.k8s.io/v1 stores it (a new object)
     */
    static ObjectNode toEventsV1(ObjectNode core) {
        ObjectNode event = rename(core, TO_EVENTS_V1);
        event.put("apiVersion", EVENTS_V1);
        event.put("kind", "Event");
        return event;
    }

    private static ObjectNode rename(ObjectNode from, Map<String, String> names) {
        ObjectNode to = Json.MAPPER.createObjectNode();
        from.properties().forEach(e -> to.set(names.getOrDefault(e.getKey(), e.getKey()), e.getValue().deepCopy()));
        return to;
    }

    private static MockResponse toCoreResponse(MockResponse response) {
        if (response.getBody() == null) {
            return response;
        }
        String text = response.getBody().readUtf8();
        JsonNode node = text.isBlank() ? null : Json.read(text);
        if (node instanceof ObjectNode object && "Event".equals(object.path("kind").asText())) {
            text = Json.write(toCore(object));
        }
        return response.setBody(text);
    }

    private static MockResponse notServed(String verb) {
        return ApiServerDispatcher.status(405, "MethodNotAllowed", verb + " of core/v1 events is not served by the "
            + "in-memory API server; use " + EVENTS_V1 + " events");
    }

    /** One term of a field selector. */
    record Term(String label, String value, boolean equal) {
        boolean matches(ObjectNode core) {
            return fieldValue(core, label).equals(value) == equal;
        }
    }

    /**
     * @param selector a field selector ({@code a=b,c!=d}; {@code \} escapes {@code ,}, {@code =}, {@code !} and
     *                 itself, as Kubernetes' {@code fields.EscapeValue})
     * @return its terms, empty for an empty selector
     * @throws IllegalArgumentException for a malformed term or a label core/v1 Events do not have
     */
    static List<Term> fieldSelector(String selector) {
        List<Term> terms = new ArrayList<>();
        for (String raw : splitUnescaped(selector, ',')) {
            if (raw.isBlank()) {
                continue;
            }
            int ne = indexUnescaped(raw, "!=");
            int eq = indexUnescaped(raw, "=");
            String label;
            String value;
            boolean equal;
            if (ne >= 0) {
                label = raw.substring(0, ne);
                value = raw.substring(ne + 2);
                equal = false;
            } else if (eq >= 0) {
                label = raw.substring(0, eq);
                value = raw.substring(raw.startsWith("==", eq) ? eq + 2 : eq + 1);
                equal = true;
            } else {
                throw new IllegalArgumentException("invalid selector: '" + selector + "'; can't understand '" + raw + "'");
            }
            label = label.trim();
            if (!FIELD_LABELS.contains(label)) {
                throw new IllegalArgumentException("field label not supported: " + label);
            }
            terms.add(new Term(label, unescape(value), equal));
        }
        return terms;
    }

    /** @return the value a field label selects on a core/v1 Event ({@code ""} when absent) */
    static String fieldValue(ObjectNode core, String label) {
        return switch (label) {
            case "metadata.name" -> core.path("metadata").path("name").asText("");
            case "metadata.namespace" -> core.path("metadata").path("namespace").asText("");
            case "source" -> core.path("source").path("component").asText("");
            default -> {
                int dot = label.indexOf('.');
                JsonNode node = dot < 0 ? core.path(label) : core.path(label.substring(0, dot)).path(label.substring(dot + 1));
                yield node.isValueNode() ? node.asText("") : "";
            }
        };
    }

    private static List<String> splitUnescaped(String s, char separator) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                current.append(c).append(s.charAt(++i));
            } else if (c == separator) {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString());
        return parts;
    }

    private static int indexUnescaped(String s, String token) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\\') {
                i++;
            } else if (s.startsWith(token, i)) {
                return i;
            }
        }
        return -1;
    }

    private static String unescape(String value) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length()) {
                c = value.charAt(++i);
            }
            b.append(c);
        }
        return b.toString();
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String param : raw.split("&")) {
            int eq = param.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? param : param.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(param.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(key, value);
        }
        return params;
    }
}

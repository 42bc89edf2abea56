package io.conflux.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * Wraps fabric8's CRUD dispatcher and corrects the places where it does not behave like a real API server:
 * <ul>
 *   <li>server-side apply ({@code PATCH} with {@code application/apply-patch+yaml}) of an object that does not
 *       exist creates it (the mock answers 404);</li>
 *   <li>cluster-scoped kinds addressed with a namespace (a manifest carrying {@code metadata.namespace}) are
 *       stored cluster-wide and the namespace is dropped;</li>
 *   <li>multi-version CRDs with conversion {@code None}: every served version is mapped onto the storage version
 *       (one object, any version), and responses carry the {@code apiVersion} the client asked for. Watches see
 *       the storage version.</li>
 * </ul>
 * Requests are serialized: the in-memory store is not meant for concurrent mutation.
 */
final class ApiServerDispatcher extends Dispatcher {

    private static final String CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

    private final Dispatcher delegate;
    private final CrdRegistry registry = new CrdRegistry();
    private final Discovery discovery = new Discovery(registry);

    ApiServerDispatcher(Dispatcher delegate) {
        this.delegate = delegate;
    }

    @Override
    public synchronized MockResponse dispatch(RecordedRequest request) {
        if ("GET".equals(request.getMethod())) {
            String rawPath = request.getPath();
            int q = rawPath.indexOf('?');
            String answer = discovery.answer(q < 0 ? rawPath : rawPath.substring(0, q));
            if (answer != null) {
                return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                    .setBody(answer);
            }
        }
        ResourcePath path = ResourcePath.parse(request.getPath());
        if (path == null || path.plural() == null) {
            return delegate.dispatch(request);
        }
        String requestedApiVersion = path.apiVersion();
        ResourcePath target = path;
        if (target.namespace() != null && registry.clusterScoped(target.group(), target.plural())) {
            target = target.withoutNamespace();
        }
        Optional<CrdRegistry.CustomType> custom = registry.custom(target.group(), target.plural());
        if (custom.isPresent() && !custom.get().storageVersion().equals(target.version())) {
            target = target.withVersion(custom.get().storageVersion());
        }
        String body = request.getBody() == null ? "" : request.getUtf8Body();
        if (!body.isBlank() && (target != path)) {
            body = rewriteBody(body, target, path.namespace() != null && target.namespace() == null);
        }
        RecordedRequest forwarded = target == path && body.equals(request.getUtf8Body())
            ? request : copy(request, request.method(), target.render(), body);

        MockResponse response;
        if (isApply(request) && target.name() != null) {
            response = apply(request, target, body);
        } else {
            response = delegate.dispatch(forwarded);
        }
        if (!"GET".equals(request.getMethod()) && path.plural().equals("customresourcedefinitions")) {
            reloadCrds(request);
        }
        if (!target.version().equals(path.version()) && response.getWebSocketListener() == null) {
            response = rewriteResponse(response, requestedApiVersion);
        }
        return response;
    }

    private static boolean isApply(RecordedRequest request) {
        String type = request.getHeader("Content-Type");
        return "PATCH".equals(request.getMethod()) && type != null && type.startsWith("application/apply-patch");
    }

    /**
     * Server-side apply for a single field manager: creates the object if absent, otherwise replaces it with the
     * applied configuration, keeping server-owned metadata, labels/annotations set by others, and status (apply to
     * {@code /status} replaces only the status).
     */
    private MockResponse apply(RecordedRequest request, ResourcePath target, String body) {
        boolean clusterScoped = registry.clusterScoped(target.group(), target.plural());
        ResourcePath object = new ResourcePath(target.group(), target.version(), target.namespace(), target.plural(),
            target.name(), null, null);
        MockResponse current = delegate.dispatch(copy(request, HttpMethod.GET, object.render(), ""));
        JsonNode appliedNode = read(rewriteBody(body, target, clusterScoped));
        if (!(appliedNode instanceof ObjectNode applied)) {
            return new MockResponse().setResponseCode(400).setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\","
                + "\"status\":\"Failure\",\"message\":\"apply body is not an object\",\"code\":400}");
        }
        if (current.code() == 404) {
            if (target.subresource() != null) {
                return current;
            }
            applied.remove("status");
            return delegate.dispatch(copy(request, HttpMethod.POST, target.collection().render(), write(applied)));
        }
        ObjectNode existing = (ObjectNode) read(current.getBody().readUtf8());
        ObjectNode merged;
        if ("status".equals(target.subresource())) {
            merged = existing.deepCopy();
            if (applied.has("status")) {
                merged.set("status", applied.get("status"));
            }
        } else {
            merged = applied;
            ObjectNode meta = Json.object(merged, "metadata");
            JsonNode oldMeta = existing.path("metadata");
            for (String field : new String[] {"labels", "annotations"}) {
                if (oldMeta.get(field) instanceof ObjectNode old) {
                    ObjectNode combined = old.deepCopy();
                    if (meta.get(field) instanceof ObjectNode now) {
                        combined.setAll(now);
                    }
                    meta.set(field, combined);
                }
            }
            for (String field : new String[] {"uid", "creationTimestamp", "generation", "finalizers",
                "ownerReferences", "deletionTimestamp"}) {
                if (oldMeta.has(field) && !meta.has(field)) {
                    meta.set(field, oldMeta.get(field));
                }
            }
            merged.remove("status");
            if (existing.has("status")) {
                merged.set("status", existing.get("status"));
            }
        }
        Json.object(merged, "metadata").remove("resourceVersion");
        ResourcePath put = new ResourcePath(target.group(), target.version(), target.namespace(), target.plural(),
            target.name(), target.subresource(), null);
        return delegate.dispatch(copy(request, HttpMethod.PUT, put.render(), write(merged)));
    }

    private void reloadCrds(RecordedRequest request) {
        MockResponse list = delegate.dispatch(copy(request, HttpMethod.GET, CRD_PATH, ""));
        if (list.code() == 200 && list.getBody() != null) {
            registry.reload(read(list.getBody().readUtf8()));
        }
    }

    /** Sets {@code apiVersion} to the storage version and drops {@code metadata.namespace} if asked to. */
    private static String rewriteBody(String body, ResourcePath target, boolean dropNamespace) {
        JsonNode node = read(body);
        if (!(node instanceof ObjectNode object)) {
            return body;
        }
        if (object.has("apiVersion")) {
            object.put("apiVersion", target.apiVersion());
        }
        if (dropNamespace && object.get("metadata") instanceof ObjectNode metadata) {
            metadata.remove("namespace");
        }
        return write(object);
    }

    private static MockResponse rewriteResponse(MockResponse response, String apiVersion) {
        if (response.getBody() == null) {
            return response;
        }
        String text = response.getBody().readUtf8();
        JsonNode node = text.isBlank() ? null : read(text);
        if (node instanceof ObjectNode object) {
            if (object.has("apiVersion")) {
                object.put("apiVersion", apiVersion);
            }
            for (JsonNode item : object.path("items")) {
                if (item instanceof ObjectNode o) {
                    o.put("apiVersion", apiVersion);
                }
            }
            text = write(object);
        }
        return response.setBody(text);
    }

    private static RecordedRequest copy(RecordedRequest original, HttpMethod method, String path, String body) {
        Headers.Builder headers = Headers.builder();
        for (Map.Entry<String, java.util.List<String>> h : original.getHeaders().toMultimap().entrySet()) {
            for (String v : h.getValue()) {
                headers.add(h.getKey(), v);
            }
        }
        headers.removeAll("Content-Length");
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        headers.add("Content-Length", Integer.toString(bytes.length));
        if (method == HttpMethod.POST || method == HttpMethod.PUT) {
            headers.set("Content-Type", "application/json");
        }
        return new RecordedRequest(original.getHttpVersion(), method, path, headers.build(), new Buffer(bytes));
    }

    private static JsonNode read(String text) {
        return Json.read(text);
    }

    private static String write(JsonNode node) {
        return Json.write(node);
    }

    @Override
    public void shutdown() {
        delegate.shutdown();
    }
}

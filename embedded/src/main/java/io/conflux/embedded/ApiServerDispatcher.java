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
 *       (one object, any version), and responses and watch events carry the {@code apiVersion} the client asked
 *       for;</li>
 *   <li>API discovery ({@code /api}, {@code /api/v1}, {@code /apis}, {@code /apis/G}, {@code /apis/G/V}) is answered
 *       by {@link Discovery} for built-in kinds and every served version of every installed CRD;</li>
 *   <li>{@code /version} is answered as kube-apiserver's, by {@link ServerVersion};</li>
 *   <li>creating a namespaced object in a namespace that does not exist fails with 404 (the mock accepts it);
 *       deleting a Namespace deletes the objects in it, deleting a CRD deletes its custom resources; new
 *       Namespaces get {@code status.phase: Active};</li>
 *   <li>request bodies get the path's namespace if they have none, and creating a custom resource drops
 *       {@code status}.</li>
 *   <li>field ownership ({@code metadata.managedFields}) is tracked on every write and server-side apply merges by
 *       it, see {@link ManagedFields} (the mock replaced the whole object);</li>
 *   <li>some immutable fields are enforced with the real {@code 422 Invalid} answer, see {@link ImmutableFields};</li>
 *   <li>an {@link Authorizer} decides on every request, seeing the {@code Impersonate-User}/{@code -Group}
 *       headers; a denial is a {@code 403 Forbidden} Status;</li>
 *   <li>finalizers, see {@link Finalizers}: deleting an object that has {@code metadata.finalizers} only sets its
 *       {@code deletionTimestamp} (watchers see it MODIFIED); a write leaving such an object without finalizers
 *       removes it (DELETED); a write adding a finalizer to it is refused {@code 422 Invalid}. The cascades of a
 *       deleted Namespace or CRD still remove their objects at once.</li>
 *   <li>custom resources are pruned, defaulted and validated against the schema of the CRD version written, on every
 *       create, update, patch and apply of the main resource and of {@code status}
 *       ({@link CustomResourceAdmission}; {@code 422 Invalid} with kube-apiserver's causes); a JSON patch
 *       (RFC 6902) of {@code status} is not checked;</li>
 *   <li>CRDs: status {@code Established}/{@code NamesAccepted}, {@code acceptedNames} and
 *       {@code storedVersions} kept by the server, and its update rules ({@link CrdLifecycle}); a version with
 *       {@code served: false} answers 404 on its paths and is not in discovery.</li>
 *   <li>a CRD removed, or a version of it no longer served, ends the watches open on it and its paths answer 404
 *       (discovery drops it) until a CRD serving them is written again ({@link CustomWatches}), as on
 *       kube-apiserver.</li>
 *   <li>a watch sends every event in one WebSocket frame, as kube-apiserver does, whatever its size
 *       ({@link UnfragmentedWatch}; the mock split events over 64 KiB, which fabric8's client never reads);</li>
 *   <li>core/v1 {@code Event}s are a view of the {@code events.k8s.io/v1} store, as on kube-apiserver, see
 *       {@link CoreEventsView}.</li>
 * </ul>
 * Requests are serialized: the in-memory store is not meant for concurrent mutation.
 */
final class ApiServerDispatcher extends Dispatcher {

    /** How fabric8's {@code KubernetesResponseComposer} begins a list (mock server 7.x). */
    private static final String COMPOSED_LIST_HEAD = "{\"apiVersion\":\"v1\",\"kind\":\"List\",";
    private static final String CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

    private final Dispatcher delegate;
    private final CrdRegistry registry = new CrdRegistry();
    private final Discovery discovery = new Discovery(registry);
    private final CustomWatches customWatches = new CustomWatches();
    private Authorizer authorizer = Authorizer.ALLOW_ALL;
    /** The RBAC objects as last read, null when they may have changed since. */
    private RbacPolicy rbacPolicy;
    /** Whether the last request wrote RBAC objects or namespaces. */
    private boolean rbacChanging;

    ApiServerDispatcher(Dispatcher delegate) {
        this.delegate = delegate;
    }

    /** Replaces the authorizer deciding on every request. */
    synchronized void authorizer(Authorizer authorizer) {
        this.authorizer = java.util.Objects.requireNonNull(authorizer);
    }

    /**
     * Answers a request; every answer with a body that names no {@code Content-Type} (the mock server's CRUD answers)
     * says {@code application/json}, which is what it is: a Go client such as the helm CLI asks for protobuf first and
     * decodes an answer without the header as protobuf. A watch sends each event in one WebSocket frame
     * ({@link UnfragmentedWatch}).
     */
    @Override
    public synchronized MockResponse dispatch(RecordedRequest request) {
        MockResponse response = answer(request);
        if (response.getWebSocketListener() != null) {
            return response.withWebSocketUpgrade(new UnfragmentedWatch(response.getWebSocketListener()));
        }
        if (response.getHeaders().get("Content-Type") == null) {
            response.setHeader("Content-Type", "application/json");
        }
        return typedList(request, response);
    }

    /**
     * The mock server answers a list with {@code kind: List}; a real API server with {@code <Kind>List}, which a Go
     * client's typed lists ({@code SecretList}, as the helm CLI reads its release records) need to decode.
     */
    private MockResponse typedList(RecordedRequest request, MockResponse response) {
        ResourcePath path = ResourcePath.parse(request.getPath());
        if (!"GET".equals(request.getMethod()) || path == null || path.plural() == null || path.name() != null
            || response.getWebSocketListener() != null || response.getBody() == null || response.code() != 200) {
            return response;
        }
        String text = response.getBody().readUtf8();
        Optional<String> kind = BuiltInKinds.kind(path.group(), path.plural())
            .or(() -> registry.custom(path.group(), path.plural()).map(CrdRegistry.CustomType::kind));
        if (kind.isEmpty()) {
            return response.setBody(text);
        }
        if (text.startsWith(COMPOSED_LIST_HEAD)) {
            // the list fabric8's KubernetesResponseComposer wrote: only its head changes, and a list of 10,000 objects
            // is not parsed and written again for it
            return response.setBody("{\"apiVersion\":\"v1\",\"kind\":\"" + kind.get() + "List\","
                + text.substring(COMPOSED_LIST_HEAD.length()));
        }
        JsonNode node = text.isBlank() ? null : read(text);
        if (node instanceof ObjectNode list && "List".equals(list.path("kind").asText())) {
            list.put("kind", kind.get() + "List");
            text = write(list);
        }
        return response.setBody(text);
    }


    private MockResponse answer(RecordedRequest request) {
        if ("GET".equals(request.getMethod())) {
            String rawPath = request.getPath();
            int q = rawPath.indexOf('?');
            String bare = q < 0 ? rawPath : rawPath.substring(0, q);
            String answer = discovery.answer(bare);
            if (answer == null) {
                answer = ServerVersion.answer(bare);
            }
            if (answer != null) {
                // discovery is served to every user, but impersonating one is checked first, as kube-apiserver's
                // impersonation filter checks it before any authorization
                for (AccessRequest access : impersonation(request)) {
                    if (!authorizer.allows(access, () -> rbacPolicy(request))) {
                        return status(403, "Forbidden", access.forbiddenMessage());
                    }
                }
                return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                    .setBody(answer);
            }
        }
        ResourcePath path = ResourcePath.parse(request.getPath());
        if (path == null || path.plural() == null) {
            return delegate.dispatch(request);
        }
        forgetRbacPolicy(request, path);
        java.util.List<AccessRequest> accesses = accessRequests(request, path);
        for (AccessRequest access : accesses) {
            if (!authorizer.allows(access, () -> rbacPolicy(request))) {
                return status(403, "Forbidden", access.forbiddenMessage());
            }
        }
        if (CoreEventsView.handles(path)) {
            return CoreEventsView.dispatch(delegate, request, path);
        }
        String requestedApiVersion = path.apiVersion();
        boolean clusterScoped = registry.clusterScoped(path.group(), path.plural());
        ResourcePath target = path;
        if (target.namespace() != null && clusterScoped) {
            target = target.withoutNamespace();
        }
        Optional<CrdRegistry.CustomType> custom = registry.custom(target.group(), target.plural());
        if (custom.isEmpty() && customWatches.removed(target.group(), target.plural())) {
            return status(404, "NotFound", "the server could not find the requested resource");
        }
        if (custom.isPresent() && !custom.get().servedVersions().contains(path.version())) {
            return status(404, "NotFound", "the server could not find the requested resource");
        }
        if (custom.isPresent() && !custom.get().storageVersion().equals(target.version())) {
            target = target.withVersion(custom.get().storageVersion());
        }
        if (isApply(request) && path.name() != null && path.subresource() == null && authorizer != Authorizer.ALLOW_ALL
            && !exists(request, target)) {
            // an apply that creates needs create as well, as kube-apiserver checks on create-on-update
            AccessRequest patch = accesses.get(accesses.size() - 1);
            AccessRequest create = new AccessRequest(patch.user(), patch.groups(), "create", patch.group(),
                patch.resource(), patch.namespace(), null, null);
            if (!authorizer.allows(create, () -> rbacPolicy(request))) {
                return status(403, "Forbidden", create.forbiddenMessage());
            }
        }
        String method = request.getMethod();
        boolean write = "POST".equals(method) || "PUT".equals(method) || "PATCH".equals(method);
        String original = request.getBody() == null ? "" : request.getUtf8Body();
        String body = original;
        if (write && !body.isBlank() && !isJsonPatch(request)) {
            body = normalizeBody(body, target, clusterScoped, "POST".equals(method) && custom.isPresent());
        }
        boolean creates = "POST".equals(method) || (isApply(request) && target.name() != null
            && target.subresource() == null && !exists(request, target));
        if (creates && target.namespace() != null && !namespaceExists(request, target.namespace())) {
            return status(404, "NotFound", "namespaces \"" + target.namespace() + "\" not found");
        }
        if ("POST".equals(method) && target.group().isEmpty() && target.plural().equals("namespaces")) {
            body = activeNamespace(body);
        }
        if ("POST".equals(method) && target.subresource() == null && read(body) instanceof ObjectNode created) {
            Optional<MockResponse> refused = admit(request, target, null, created);
            if (refused.isPresent()) {
                return refused.get();
            }
            ManagedFields.update(null, created, updateManager(request));
            body = write(created);
        }
        // the body buffer can be read only once: always forward a copy
        RecordedRequest forwarded = copy(request, request.method(), target.render(), body);

        Optional<CrdRegistry.CustomType> deletedType = Optional.empty();
        if ("DELETE".equals(method) && target.plural().equals("customresourcedefinitions") && target.name() != null) {
            deletedType = registry.all().stream()
                .filter(t -> (t.plural() + "." + t.group()).equals(path.name())).findFirst();
        }
        MockResponse response;
        if ("DELETE".equals(method) && target.name() != null && target.subresource() == null
            && (response = Finalizers.delete(delegate, request, target)) != null) {
            return versioned(response, target, path, requestedApiVersion);
        }
        if (isApply(request) && target.name() != null) {
            response = apply(request, target, body);
        } else if (isMergePatch(request) && target.name() != null) {
            response = mergePatch(request, target, body);
        } else if (isJsonPatch(request) && target.name() != null && target.subresource() == null) {
            response = jsonPatch(request, target, body);
        } else if ("PUT".equals(method) && target.name() != null && target.subresource() == null) {
            response = update(request, target, body);
        } else if ("PUT".equals(method) && target.name() != null && "status".equals(target.subresource())) {
            response = updateStatus(request, target, body);
        } else {
            response = delegate.dispatch(forwarded);
        }
        if (write && target.name() != null && target.subresource() == null && response.code() == 200) {
            response = Finalizers.completeDeletion(delegate, request, target, response);
        }
        if (deletedType.isPresent() && response.code() == 200) {
            // the CRD's objects go first, so that its watchers see them DELETED before their watches end, as with
            // kube-apiserver's customresourcecleanup finalizer
            deleteAll(request, "/apis/" + deletedType.get().group() + "/" + deletedType.get().storageVersion() + "/"
                + deletedType.get().plural());
        }
        if (!"GET".equals(method) && path.plural().equals("customresourcedefinitions")) {
            reloadCrds(request);
        }
        if ("DELETE".equals(method) && response.code() == 200 && target.group().isEmpty()
            && target.plural().equals("namespaces") && target.name() != null) {
            deleteNamespaceContents(request, target.name());
        }
        MockResponse answered = versioned(response, target, path, requestedApiVersion);
        if (custom.isPresent() && answered.getWebSocketListener() != null) {
            answered = answered.withWebSocketUpgrade(customWatches.track(answered.getWebSocketListener(),
                target.group(), target.plural(), path.version()));
        }
        return answered;
    }

    /** @return {@code response} in the {@code apiVersion} the client asked for when it differs from the stored one */
    private static MockResponse versioned(MockResponse response, ResourcePath target, ResourcePath path,
                                          String requestedApiVersion) {
        if (!target.version().equals(path.version())) {
            return response.getWebSocketListener() == null
                ? rewriteResponse(response, requestedApiVersion)
                : response.withWebSocketUpgrade(new VersionRewritingWatch(response.getWebSocketListener(),
                    requestedApiVersion));
        }
        return response;
    }

    private static String fieldManager(RecordedRequest request) {
        String raw = request.getPath();
        int q = raw.indexOf('?');
        if (q >= 0) {
            for (String param : raw.substring(q + 1).split("&")) {
                if (param.startsWith("fieldManager=")) {
                    return java.net.URLDecoder.decode(param.substring("fieldManager=".length()),
                        java.nio.charset.StandardCharsets.UTF_8);
                }
            }
        }
        return "";
    }

    private static boolean isJsonPatch(RecordedRequest request) {
        String type = request.getHeader("Content-Type");
        return "PATCH".equals(request.getMethod()) && type != null && type.startsWith("application/json-patch");
    }

    /**
     * @return the RBAC objects stored now, read through the store as {@code request}'s copies; kept until a request
     *         writes to the rbac.authorization.k8s.io group or deletes a namespace ({@link #forgetRbacPolicy})
     */
    private RbacPolicy rbacPolicy(RecordedRequest request) {
        if (rbacPolicy == null) {
            rbacPolicy = readRbacPolicy(request);
        }
        return rbacPolicy;
    }

    /**
     * Drops the cached RBAC policy when the previous request may have changed it, and marks this one when it may (any
     * write to RBAC objects or namespaces): requests are served one at a time, so the next one reads afresh.
     */
    private void forgetRbacPolicy(RecordedRequest request, ResourcePath path) {
        if (rbacChanging) {
            rbacPolicy = null;
            rbacChanging = false;
        }
        if (!"GET".equals(request.getMethod())
            && ("rbac.authorization.k8s.io".equals(path.group()) || "namespaces".equals(path.plural()))) {
            rbacPolicy = null;
            rbacChanging = true;
        }
    }

    private RbacPolicy readRbacPolicy(RecordedRequest request) {
        return new RbacPolicy(
            rbacItems(request, "clusterroles", io.fabric8.kubernetes.api.model.rbac.ClusterRole.class),
            rbacItems(request, "roles", io.fabric8.kubernetes.api.model.rbac.Role.class),
            rbacItems(request, "clusterrolebindings", io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding.class),
            rbacItems(request, "rolebindings", io.fabric8.kubernetes.api.model.rbac.RoleBinding.class));
    }

    private <T> java.util.List<T> rbacItems(RecordedRequest request, String plural, Class<T> type) {
        MockResponse list = delegate.dispatch(copy(request, HttpMethod.GET,
            "/apis/rbac.authorization.k8s.io/v1/" + plural, ""));
        java.util.List<T> items = new java.util.ArrayList<>();
        if (list.code() != 200 || list.getBody() == null) {
            return items;
        }
        try {
            for (JsonNode item : read(list.getBody().readUtf8()).path("items")) {
                items.add(Json.MAPPER.treeToValue(item, type));
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot read the stored " + plural, e);
        }
        return items;
    }

    private boolean exists(RecordedRequest request, ResourcePath target) {
        ResourcePath object = new ResourcePath(target.group(), target.version(), target.namespace(), target.plural(),
            target.name(), null, null);
        return delegate.dispatch(copy(request, HttpMethod.GET, object.render(), "")).code() == 200;
    }

    private boolean namespaceExists(RecordedRequest request, String namespace) {
        return delegate.dispatch(copy(request, HttpMethod.GET, "/api/v1/namespaces/" + namespace, "")).code() == 200;
    }

    /** A real server removes everything in a deleted namespace; do it at once (no Terminating phase). */
    private void deleteNamespaceContents(RecordedRequest request, String namespace) {
        java.util.Set<String> collections = new java.util.LinkedHashSet<>();
        BuiltInKinds.BY_GROUP_VERSION.forEach((gv, kinds) -> kinds.stream().filter(BuiltInKinds.Kind::namespaced)
            .forEach(k -> collections.add((gv.contains("/") ? "/apis/" : "/api/") + gv + "/namespaces/" + namespace
                + "/" + k.plural())));
        for (CrdRegistry.CustomType t : registry.all()) {
            if (t.namespaced()) {
                collections.add("/apis/" + t.group() + "/" + t.storageVersion() + "/namespaces/" + namespace + "/"
                    + t.plural());
            }
        }
        collections.forEach(collection -> deleteAll(request, collection));
    }

    /** Deletes every object listed under {@code collection} (all namespaces if the path has none). */
    private void deleteAll(RecordedRequest request, String collection) {
        MockResponse list = delegate.dispatch(copy(request, HttpMethod.GET, collection, ""));
        if (list.code() != 200 || list.getBody() == null) {
            return;
        }
        for (JsonNode item : read(list.getBody().readUtf8()).path("items")) {
            JsonNode meta = item.path("metadata");
            ResourcePath base = ResourcePath.parse(collection);
            if (base == null) {
                return;
            }
            String ns = meta.hasNonNull("namespace") ? meta.get("namespace").asText() : null;
            ResourcePath object = new ResourcePath(base.group(), base.version(), ns, base.plural(),
                meta.path("name").asText(), null, null);
            delegate.dispatch(copy(request, HttpMethod.DELETE, object.render(), ""));
        }
    }

    private static String activeNamespace(String body) {
        JsonNode node = read(body);
        if (node instanceof ObjectNode object) {
            Json.object(object, "status").put("phase", "Active");
            return write(object);
        }
        return body;
    }

    static MockResponse status(int code, String reason, String message) {
        ObjectNode s = Json.MAPPER.createObjectNode();
        s.put("kind", "Status").put("apiVersion", "v1").put("status", "Failure").put("message", message)
            .put("reason", reason).put("code", code);
        s.putObject("metadata");
        return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json").setBody(write(s));
    }

    private static boolean isMergePatch(RecordedRequest request) {
        String type = request.getHeader("Content-Type");
        return "PATCH".equals(request.getMethod()) && type != null && type.startsWith("application/merge-patch+json");
    }

    /**
     * JSON merge patch (RFC 7386) as the API server applies it: objects merge recursively, {@code null} removes a
     * member, and every other value — arrays included — replaces the target's. fabric8's CRUD mock merged arrays
     * element-wise, which turned a status patch of {@code conditions} into an append. The patched object is stored
     * with a PUT to the same path, so a patch of {@code /status} still changes only the status.
     */
    private MockResponse mergePatch(RecordedRequest request, ResourcePath target, String body) {
        ResourcePath object = new ResourcePath(target.group(), target.version(), target.namespace(), target.plural(),
            target.name(), null, null);
        MockResponse current = delegate.dispatch(copy(request, HttpMethod.GET, object.render(), ""));
        if (current.code() != 200) {
            return current;
        }
        JsonNode patch = read(body);
        ObjectNode before = (ObjectNode) read(current.getBody().readUtf8());
        JsonNode merged = Json.mergePatch(before.deepCopy(), patch);
        if (merged instanceof ObjectNode o) {
            Json.object(o, "metadata").remove("resourceVersion");
            Optional<MockResponse> refused = target.subresource() == null ? recordUpdate(request, target, before, o)
                : admit(request, target, before, o);
            if (refused.isPresent()) {
                return refused.get();
            }
        }
        return delegate.dispatch(copy(request, HttpMethod.PUT, target.render(), write(merged)));
    }

    /** JSON patch (RFC 6902) of the main resource, applied here so that field ownership and immutability apply. */
    private MockResponse jsonPatch(RecordedRequest request, ResourcePath target, String body) {
        MockResponse current = delegate.dispatch(copy(request, HttpMethod.GET, target.render(), ""));
        if (current.code() != 200) {
            return current;
        }
        ObjectNode before = (ObjectNode) read(current.getBody().readUtf8());
        JsonNode patched;
        try {
            patched = io.fabric8.zjsonpatch.JsonPatch.apply(read(body), before.deepCopy());
        } catch (RuntimeException e) {
            return status(422, "Invalid", "the JSON patch cannot be applied: " + e.getMessage());
        }
        if (!(patched instanceof ObjectNode after)) {
            return status(422, "Invalid", "the JSON patch does not yield an object");
        }
        Json.object(after, "metadata").remove("resourceVersion");
        Optional<MockResponse> refused = recordUpdate(request, target, before, after);
        return refused.orElseGet(() -> delegate.dispatch(copy(request, HttpMethod.PUT, target.render(), write(after))));
    }

    /** PUT of the main resource: field ownership and immutability, then the store. */
    private MockResponse update(RecordedRequest request, ResourcePath target, String body) {
        MockResponse current = delegate.dispatch(copy(request, HttpMethod.GET, target.render(), ""));
        if (current.code() != 200 || !(read(body) instanceof ObjectNode after)) {
            return delegate.dispatch(copy(request, request.method(), target.render(), body));
        }
        ObjectNode before = (ObjectNode) read(current.getBody().readUtf8());
        Optional<MockResponse> refused = recordUpdate(request, target, before, after);
        return refused.orElseGet(() -> delegate.dispatch(copy(request, HttpMethod.PUT, target.render(), write(after))));
    }

    /** @return a 422 answer when {@code after} changes an immutable field, else empty after recording ownership */
    private Optional<MockResponse> recordUpdate(RecordedRequest request, ResourcePath target, ObjectNode before,
                                                ObjectNode after) {
        Optional<ImmutableFields.Violation> violation = ImmutableFields.check(target.group(), target.plural(), before, after);
        if (violation.isPresent()) {
            return Optional.of(invalid(violation.get()));
        }
        Optional<String> refused = Finalizers.check(before, after);
        if (refused.isPresent()) {
            return Optional.of(status(422, "Invalid", refused.get()));
        }
        Optional<MockResponse> inadmissible = admit(request, target, before, after);
        if (inadmissible.isPresent()) {
            return inadmissible;
        }
        ManagedFields.update(before, after, updateManager(request));
        return Optional.empty();
    }

    /**
     * Admission of a write of {@code target} (main resource or subresource): for a CustomResourceDefinition its
     * update rules and status ({@link CrdLifecycle}); for a custom resource pruning, defaulting and validation
     * against the schema of the version the client wrote ({@link CustomResourceAdmission}); nothing else for
     * built-in kinds. May change {@code after}.
     *
     * @param before the stored object, null on a create
     * @param after  the whole object to be stored
     * @return a refusal to answer with, or empty
     */
    private Optional<MockResponse> admit(RecordedRequest request, ResourcePath target, ObjectNode before,
                                         ObjectNode after) {
        if ("apiextensions.k8s.io".equals(target.group()) && "customresourcedefinitions".equals(target.plural())) {
            return CrdLifecycle.admit(before, after, "status".equals(target.subresource()), registry.all());
        }
        Optional<CrdRegistry.CustomType> type = registry.custom(target.group(), target.plural());
        if (type.isEmpty() || target.subresource() != null && !"status".equals(target.subresource())) {
            return Optional.empty();
        }
        ResourcePath requested = ResourcePath.parse(request.getPath());
        return CustomResourceAdmission.admit(type.get(), requested == null ? target.version() : requested.version(),
            before, after);
    }

    /**
     * PUT of the {@code status} subresource: the stored object with the body's status, admitted as a whole (the
     * main resource's fields stay as stored), then stored.
     */
    private MockResponse updateStatus(RecordedRequest request, ResourcePath target, String body) {
        ResourcePath object = new ResourcePath(target.group(), target.version(), target.namespace(), target.plural(),
            target.name(), null, null);
        MockResponse current = delegate.dispatch(copy(request, HttpMethod.GET, object.render(), ""));
        if (current.code() != 200 || !(read(body) instanceof ObjectNode written)) {
            return delegate.dispatch(copy(request, request.method(), target.render(), body));
        }
        ObjectNode before = (ObjectNode) read(current.getBody().readUtf8());
        ObjectNode after = before.deepCopy();
        if (written.has("status")) {
            after.set("status", written.get("status"));
        } else {
            after.remove("status");
        }
        if (written.path("metadata").hasNonNull("resourceVersion")) {
            Json.object(after, "metadata").set("resourceVersion", written.get("metadata").get("resourceVersion"));
        }
        Optional<MockResponse> refused = admit(request, target, before, after);
        if (refused.isPresent()) {
            return refused.get();
        }
        return delegate.dispatch(copy(request, HttpMethod.PUT, target.render(), write(after)));
    }

    private static MockResponse invalid(ImmutableFields.Violation v) {
        ObjectNode s = Json.MAPPER.createObjectNode();
        s.put("kind", "Status").put("apiVersion", "v1").put("status", "Failure").put("message", v.message())
            .put("reason", "Invalid").put("code", 422);
        s.putObject("metadata");
        int dot = v.qualifiedKind().indexOf('.');
        ObjectNode details = s.putObject("details").put("name", v.name())
            .put("group", dot < 0 ? "" : v.qualifiedKind().substring(dot + 1))
            .put("kind", dot < 0 ? v.qualifiedKind() : v.qualifiedKind().substring(0, dot));
        details.putArray("causes").addObject().put("reason", "FieldValueInvalid")
            .put("message", "Invalid value: " + Json.write(v.value()) + ": field is immutable").put("field", v.field());
        return new MockResponse().setResponseCode(422).setHeader("Content-Type", "application/json").setBody(write(s));
    }

    /** The manager of a non-apply write: {@code ?fieldManager=}, else the User-Agent up to its first {@code /}. */
    private static String updateManager(RecordedRequest request) {
        String manager = fieldManager(request);
        if (!manager.isEmpty()) {
            return manager;
        }
        String agent = request.getHeader("User-Agent");
        if (agent == null || agent.isBlank()) {
            return "unknown";
        }
        int slash = agent.indexOf('/');
        return slash < 0 ? agent : agent.substring(0, slash);
    }

    /**
     * What the authorizer decides on for {@code request}: when a non-admin user impersonates another identity, first
     * its {@code impersonate} permission on each impersonated user ({@code users}, or {@code serviceaccounts} in the
     * account's namespace) and group ({@code groups}), as kube-apiserver's impersonation filter checks; then the request
     * itself as the effective identity.
     */
    private static java.util.List<AccessRequest> accessRequests(RecordedRequest request, ResourcePath path) {
        java.util.List<String> users = headers(request, "Impersonate-User");
        java.util.List<String> groups = headers(request, "Impersonate-Group");
        String authenticated = authenticatedUser(request.getHeader("Authorization"));
        java.util.List<AccessRequest> checks = impersonation(request);
        String verb = switch (request.getMethod()) {
            case "GET" -> path.name() != null ? "get"
                : request.getPath().matches(".*[?&]watch=(true|1).*") ? "watch" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> path.name() == null ? "deletecollection" : "delete";
            default -> request.getMethod().toLowerCase(java.util.Locale.ROOT);
        };
        checks.add(new AccessRequest(users.isEmpty() ? authenticated : users.get(0),
            java.util.List.copyOf(groups),
            verb, path.group(), path.plural(), path.namespace(), path.name(), path.subresource()));
        return checks;
    }

    /** @return the values of every header {@code name} (case-insensitive), in order */
    private static java.util.List<String> headers(RecordedRequest request, String name) {
        java.util.List<String> out = new java.util.ArrayList<>();
        request.getHeaders().toMultimap().forEach((header, values) -> {
            if (name.equalsIgnoreCase(header)) {
                out.addAll(values);
            }
        });
        return out;
    }

    /**
     * @return the checks of kube-apiserver's impersonation filter for {@code request}: when a non-admin user sends
     *         {@code Impersonate-User}/{@code -Group} headers, its {@code impersonate} permission on each impersonated
     *         user ({@code users}, or {@code serviceaccounts} in the account's namespace) and group ({@code groups});
     *         empty otherwise
     */
    private static java.util.List<AccessRequest> impersonation(RecordedRequest request) {
        java.util.List<String> users = headers(request, "Impersonate-User");
        java.util.List<String> groups = headers(request, "Impersonate-Group");
        String authenticated = authenticatedUser(request.getHeader("Authorization"));
        java.util.List<AccessRequest> checks = new java.util.ArrayList<>();
        if (!AccessRequest.ADMIN.equals(authenticated)) {
            for (String user : users) {
                if (user.startsWith(RbacPolicy.SERVICE_ACCOUNT_PREFIX)) {
                    String[] account = user.substring(RbacPolicy.SERVICE_ACCOUNT_PREFIX.length()).split(":", 2);
                    checks.add(new AccessRequest(authenticated, java.util.List.of(), "impersonate", "", "serviceaccounts",
                        account[0], account.length > 1 ? account[1] : "", null));
                } else {
                    checks.add(new AccessRequest(authenticated, java.util.List.of(), "impersonate", "", "users", null,
                        user, null));
                }
            }
            for (String group : groups) {
                checks.add(new AccessRequest(authenticated, java.util.List.of(), "impersonate", "", "groups", null,
                    group, null));
            }
        }
        return checks;
    }

    /**
     * @param authorization the {@code Authorization} header, may be null
     * @return the user a bearer token authenticates: a service account's user name for a token made by
     *         {@link InMemoryKubernetes#serviceAccountToken}, else {@value AccessRequest#ADMIN}
     */
    private static String authenticatedUser(String authorization) {
        if (authorization != null && authorization.startsWith("Bearer ")) {
            String token = authorization.substring("Bearer ".length()).trim();
            if (token.startsWith(RbacPolicy.SERVICE_ACCOUNT_PREFIX)) {
                return token;
            }
        }
        return AccessRequest.ADMIN;
    }

    private static boolean isApply(RecordedRequest request) {
        String type = request.getHeader("Content-Type");
        return "PATCH".equals(request.getMethod()) && type != null && type.startsWith("application/apply-patch");
    }

    /**
     * Server-side apply: creates the object if absent, otherwise merges the applied configuration by field ownership
     * ({@link ManagedFields}): what the manager applies is set, what it applied before and no longer applies is removed
     * unless another manager owns it; server-owned metadata and status are kept (apply to {@code /status} replaces
     * only the status). Immutable fields are enforced as on update.
     */
    private MockResponse apply(RecordedRequest request, ResourcePath target, String body) {
        ResourcePath object = new ResourcePath(target.group(), target.version(), target.namespace(), target.plural(),
            target.name(), null, null);
        MockResponse current = delegate.dispatch(copy(request, HttpMethod.GET, object.render(), ""));
        JsonNode appliedNode = read(body);
        if (!(appliedNode instanceof ObjectNode applied)) {
            return status(400, "BadRequest", "apply body is not an object");
        }
        applied.remove("status");
        if (applied.get("metadata") instanceof ObjectNode meta) {
            for (String server : new String[] {"managedFields", "resourceVersion", "uid", "creationTimestamp",
                "generation", "deletionTimestamp"}) {
                meta.remove(server);
            }
        }
        String manager = fieldManager(request);
        if (current.code() == 404) {
            if (target.subresource() != null) {
                return current;
            }
            ObjectNode created = ManagedFields.apply(null, applied, manager);
            if (target.group().isEmpty() && target.plural().equals("namespaces")) {
                Json.object(created, "status").put("phase", "Active");
            }
            Optional<MockResponse> refused = admit(request, target, null, created);
            if (refused.isPresent()) {
                return refused.get();
            }
            return delegate.dispatch(copy(request, HttpMethod.POST, target.collection().render(), write(created)));
        }
        ObjectNode existing = (ObjectNode) read(current.getBody().readUtf8());
        ObjectNode merged;
        if ("status".equals(target.subresource())) {
            merged = existing.deepCopy();
            JsonNode status = read(body).get("status");
            if (status != null) {
                merged.set("status", status);
            }
        } else {
            merged = ManagedFields.apply(existing, applied, manager);
            Optional<ImmutableFields.Violation> violation = ImmutableFields.check(target.group(), target.plural(),
                existing, merged);
            if (violation.isPresent()) {
                return invalid(violation.get());
            }
            Optional<String> refused = Finalizers.check(existing, merged);
            if (refused.isPresent()) {
                return status(422, "Invalid", refused.get());
            }
        }
        Optional<MockResponse> inadmissible = admit(request, target, existing, merged);
        if (inadmissible.isPresent()) {
            return inadmissible.get();
        }
        Json.object(merged, "metadata").remove("resourceVersion");
        ResourcePath put = new ResourcePath(target.group(), target.version(), target.namespace(), target.plural(),
            target.name(), target.subresource(), null);
        return delegate.dispatch(copy(request, HttpMethod.PUT, put.render(), write(merged)));
    }

    private void reloadCrds(RecordedRequest request) {
        MockResponse list = delegate.dispatch(copy(request, HttpMethod.GET, CRD_PATH, ""));
        if (list.code() == 200 && list.getBody() != null) {
            java.util.List<CrdRegistry.CustomType> before = registry.all();
            registry.reload(read(list.getBody().readUtf8()));
            customWatches.crdsChanged(before, registry.all(), watch -> registry.custom(watch.group(), watch.plural())
                .map(t -> t.servedVersions().contains(watch.version())).orElse(false));
        }
    }

    /**
     * Makes a request body look like what the API server stores: {@code apiVersion} of the storage version,
     * no {@code metadata.namespace} for cluster-scoped kinds, the path's namespace for namespaced ones, and no
     * {@code status} when creating a custom resource (status is a subresource).
     */
    private static String normalizeBody(String body, ResourcePath target, boolean clusterScoped, boolean dropStatus) {
        JsonNode node = read(body);
        if (!(node instanceof ObjectNode object)) {
            return body;
        }
        if (object.has("apiVersion")) {
            object.put("apiVersion", target.apiVersion());
        }
        if (clusterScoped) {
            if (object.get("metadata") instanceof ObjectNode metadata) {
                metadata.remove("namespace");
            }
        } else if (target.namespace() != null && object.get("metadata") instanceof ObjectNode metadata
            && !metadata.hasNonNull("namespace")) {
            metadata.put("namespace", target.namespace());
        }
        if (dropStatus) {
            object.remove("status");
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

    static RecordedRequest copy(RecordedRequest original, HttpMethod method, String path, String body) {
        Headers.Builder headers = Headers.builder();
        for (Map.Entry<String, java.util.List<String>> h : original.getHeaders().toMultimap().entrySet()) {
            for (String v : h.getValue()) {
                headers.add(h.getKey(), v);
            }
        }
        headers.removeAll("Content-Length");
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        headers.add("Content-Length", Integer.toString(bytes.length));
        if ((method == HttpMethod.POST || method == HttpMethod.PUT) && method != original.method()) {
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

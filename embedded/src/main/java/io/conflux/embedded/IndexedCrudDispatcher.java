package io.conflux.embedded;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesResponseComposer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;
import java.lang.reflect.Field;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * fabric8's mock CRUD store ({@link KubernetesCrudDispatcher}, fabric8 7.4) without its linear scans: the store keeps
 * its objects as JSON strings in one map keyed by {@link AttributeSet}, and fabric8 finds an object by testing
 * {@link AttributeSet#matches} against every key — on every GET, list, PUT, PATCH, DELETE and create — so each
 * request cost O(objects) and filling the store O(objects²) (bench/README.md, "MTTP": 59% of the API server's JVM
 * in these scans at 400 Kustomizations). Here a {@link StoreIndex} narrows every lookup to the keys of one
 * resource, namespace and name (lists: of one resource and namespace, or one resource in all namespaces, narrowed
 * again by a label selector's equality requirement), which are then matched as fabric8 matches them, so answers,
 * their order and every other behaviour (resourceVersion, generation, the status subresource, finalizers and
 * deletionTimestamp) stay fabric8's; watches are kube-apiserver's ({@link StoreWatches}).
 *
 * <p>What is overridden: {@link #findResource} (the lookup of fabric8's POST, PUT and PATCH handlers),
 * {@link #handleGet} (a GET or list; a watch is {@link StoreWatches}', which deliver every change from the watch's
 * resourceVersion on, as kube-apiserver does, where fabric8's watch started from all current objects and lost the
 * changes made while its WebSocket opened), {@link #handleDelete} (with fabric8's finalizer rules: an object with
 * finalizers only gets its {@code deletionTimestamp}), and {@link #processEvent} (every change of the store, which
 * keeps the index in step and goes to the watches; fabric8's own watch listeners are never registered).
 * The index is guarded by fabric8's own read-write lock, read from its private field {@code lock}, because a watch's
 * opening reads the store on the watch's thread under that lock.
 */
final class IndexedCrudDispatcher extends KubernetesCrudDispatcher {

    /** fabric8's API metadata paths ({@code /apis/<group>/<version>}), answered from its CRD list when empty. */
    private static final Pattern API_RESOURCES = Pattern.compile("/apis(/[a-zA-Z0-9-_.]+)?/[a-zA-Z0-9-_]+");

    private final StoreIndex index = new StoreIndex();
    private final ReadWriteLock lock = fabric8Lock(this);
    private final KubernetesAttributesExtractor extractor = (KubernetesAttributesExtractor) attributeExtractor;
    private final StoreWatches watches = new StoreWatches(lock.readLock(), this::find);
    /** The last resourceVersion handed out, which a list carries as its own (fabric8 does the same). */
    private volatile long resourceVersion;

    IndexedCrudDispatcher() {
        super();
    }

    @Override
    public long requestResourceVersion() {
        long next = super.requestResourceVersion();
        resourceVersion = next;
        return next;
    }

    /** fabric8's lookup for its POST, PUT and PATCH handlers; called under the write lock. */
    @Override
    public Map.Entry<AttributeSet, String> findResource(AttributeSet attributes) {
        List<Map.Entry<AttributeSet, String>> found = find(attributes);
        return found.isEmpty() ? null : found.get(0);
    }

    /** A GET of one object (404 if absent), a list ({@code kind: List}) or a watch ({@link StoreWatches}). */
    @Override
    public MockResponse handleGet(String path) {
        if (isWatch(path)) {
            return watches.open(extractor.fromPath(path), path);
        }
        MockResponse response = withLock(lock.readLock(), () -> {
            AttributeSet query = extractor.fromPath(path);
            List<Map.Entry<AttributeSet, String>> found = find(query);
            if (found.isEmpty() && !query.containsKey(KubernetesAttributesExtractor.NAME)
                && API_RESOURCES.matcher(path).matches()) {
                return null;
            }
            return answer(query, found);
        });
        // fabric8 answers an empty list on an API metadata path with the custom resources it knows there
        return response != null ? response : super.handleGet(path);
    }

    /**
     * A DELETE of one object or of a collection, each as fabric8 deletes: removed at once without finalizers, else
     * marked with a {@code deletionTimestamp} (once). Answers what was stored before, as fabric8 does.
     */
    @Override
    public MockResponse handleDelete(String path) {
        return withLock(lock.writeLock(), () -> {
            AttributeSet query = extractor.fromPath(path);
            List<Map.Entry<AttributeSet, String>> found = find(query);
            for (Map.Entry<AttributeSet, String> entry : found) {
                delete(path, query, entry.getKey(), entry.getValue());
            }
            return answer(query, found);
        });
    }

    /**
     * Every change of the store goes through here (create, update, patch, delete); called under the write lock. A
     * change is then sent to the watches it concerns; a delete gets a resourceVersion of its own, as on
     * kube-apiserver.
     */
    @Override
    public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
                             GenericKubernetesResource resource, String newState) {
        AttributeSet newAttributes = null;
        GenericKubernetesResource parsed = resource;
        if (newState != null) {
            // the key fabric8's processEvent computes for the new state, computed the same way (from one parse,
            // handed on to it)
            if (parsed == null) {
                parsed = Serialization.unmarshal(newState, GenericKubernetesResource.class);
            }
            newAttributes = extractor.extract(parsed);
            if (!newAttributes.containsKey(KubernetesAttributesExtractor.PLURAL)) {
                newAttributes = AttributeSet.merge(pathAttributes, newAttributes);
            }
        }
        String oldState = oldAttributes == null ? null : map.get(oldAttributes);
        super.processEvent(path, pathAttributes, oldAttributes, parsed, newState);
        if (oldAttributes != null) {
            index.remove(oldAttributes);
        }
        if (newAttributes != null) {
            if (!map.containsKey(newAttributes)) {
                throw new IllegalStateException("the index is out of step with fabric8's store: " + newAttributes);
            }
            index.add(newAttributes);
        }
        if (!Objects.equals(oldState, newState)) {
            long changedAt = newState == null ? requestResourceVersion() : resourceVersionOf(parsed);
            watches.committed(new StoreChange(changedAt, oldState == null ? null : oldAttributes, oldState,
                newAttributes, newState));
        }
    }

    /** @return the object's resourceVersion, or the last one handed out when it has none of ours */
    private long resourceVersionOf(GenericKubernetesResource object) {
        String version = object.getMetadata() == null ? null : object.getMetadata().getResourceVersion();
        if (version != null) {
            try {
                return Long.parseLong(version);
            } catch (NumberFormatException notOurs) {
                // a version the store did not hand out
            }
        }
        return resourceVersion;
    }

    @Override
    public void reset() {
        withLock(lock.writeLock(), () -> {
            super.reset();
            index.clear();
            watches.clear();
            return null;
        });
    }

    /** Not used by the Kubernetes dispatcher; refused, since it would bypass the index. */
    @Override
    public MockResponse handleCreate(String path, String body) {
        throw new UnsupportedOperationException("the store creates through handleCreate(RecordedRequest)");
    }

    /** Not used by the Kubernetes dispatcher; refused, since it would bypass the index. */
    @Override
    public MockResponse handleUpdate(String path, String body) {
        throw new UnsupportedOperationException("the store updates through handleUpdate(RecordedRequest)");
    }

    /** Not used by the Kubernetes dispatcher; refused, since it would bypass the index. */
    @Override
    public MockResponse handlePatch(String path, String body) {
        throw new UnsupportedOperationException("the store patches through handlePatch(RecordedRequest)");
    }

    /** @return the stored objects matching {@code query}, in store order */
    private List<Map.Entry<AttributeSet, String>> find(AttributeSet query) {
        Collection<AttributeSet> candidates = index.candidates(query);
        if (candidates == null) {
            candidates = new ArrayList<>(map.keySet());
        }
        List<Map.Entry<AttributeSet, String>> found = new ArrayList<>();
        for (AttributeSet key : candidates) {
            if (key.matches(query)) {
                String value = map.get(key);
                if (value != null) {
                    found.add(Map.entry(key, value));
                }
            }
        }
        return found;
    }

    /** fabric8's answer: the first match of a named query (404 if none), else a {@code List} of the matches. */
    private MockResponse answer(AttributeSet query, List<Map.Entry<AttributeSet, String>> found) {
        MockResponse response = new MockResponse();
        if (query.containsKey(KubernetesAttributesExtractor.NAME)) {
            if (found.isEmpty()) {
                return response.setResponseCode(HttpURLConnection.HTTP_NOT_FOUND);
            }
            return response.setResponseCode(HttpURLConnection.HTTP_OK).setBody(found.get(0).getValue());
        }
        List<String> items = new ArrayList<>(found.size());
        found.forEach(entry -> items.add(entry.getValue()));
        return response.setResponseCode(HttpURLConnection.HTTP_OK)
            .setBody(((KubernetesResponseComposer) responseComposer).compose(items, String.valueOf(resourceVersion)));
    }

    /** fabric8's delete of one stored object, with its finalizer rules. */
    private void delete(String path, AttributeSet query, AttributeSet key, String json) {
        GenericKubernetesResource resource = Serialization.unmarshal(json, GenericKubernetesResource.class);
        if (resource.getFinalizers().isEmpty()) {
            processEvent(path, query, key, null, null);
        } else if (!resource.isMarkedForDeletion()) {
            resource.getMetadata().setDeletionTimestamp(ZonedDateTime.now(ZoneOffset.UTC)
                .truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
            resource.getMetadata().setResourceVersion(String.valueOf(requestResourceVersion()));
            processEvent(path, query, key, resource, Serialization.asJson(resource));
        }
    }

    /** fabric8's test for a watch: {@code watch=true} in the query string. */
    private static boolean isWatch(String path) {
        try {
            String query = new URI(path).getQuery();
            return query != null && query.contains("watch=true");
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static <T> T withLock(Lock lock, Supplier<T> task) {
        lock.lock();
        try {
            return task.get();
        } finally {
            lock.unlock();
        }
    }

    private static ReadWriteLock fabric8Lock(KubernetesCrudDispatcher store) {
        try {
            Field field = KubernetesCrudDispatcher.class.getDeclaredField("lock");
            field.setAccessible(true);
            return (ReadWriteLock) field.get(store);
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException("fabric8's KubernetesCrudDispatcher has no ReadWriteLock field 'lock' "
                + "(7.4 has): the indexed store cannot share it", e);
        }
    }
}

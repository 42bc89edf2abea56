package io.conflux.embedded;

import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.AttributeType;
import io.fabric8.mockwebserver.crud.Value;
import io.fabric8.mockwebserver.crud.Key;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The keys of fabric8's mock CRUD store (one {@link AttributeSet} per stored object: {@code plural}, {@code api},
 * {@code version}, {@code namespace}, {@code name}, {@code labels:*}) in buckets by resource (the {@code plural}),
 * namespace and name, so that a request looks at the few keys that can match it rather than at every stored object,
 * much as kube-apiserver reads one etcd key for a GET and one key prefix ({@code /registry/<resource>/<namespace>/})
 * for a list. A list with a label selector narrows further: each label of a stored object ({@code labels:<key>} in
 * its key, one value) puts the key in a bucket by resource, namespace (or all namespaces), label key and value, and a
 * selector's equality requirement ({@code key=value}, {@code key==value}; a one-value {@code in}) picks the smallest
 * of those buckets — the role of client-go's indexers, which kube-apiserver's watch cache does not have for labels but
 * an informer's {@code ByIndex} does. fabric8 7.4's extractor parses only {@code =}, {@code ==}, {@code !=}, exists
 * and {@code !}exists from a path (an {@code in} requirement is dropped with a warning); {@code !=} and the
 * existence tests cannot narrow a bucket and are left to the filter.
 *
 * <p>{@link #candidates} picks one bucket for a query (the attributes fabric8's {@code KubernetesAttributesExtractor}
 * reads from a request path: {@code plural}, {@code namespace}, {@code name}, and {@code metadata.name}/{@code
 * metadata.namespace} of a field selector); the caller still filters it with {@link AttributeSet#matches}, so the
 * answer is exactly the full scan's. Each bucket keeps its keys in the order they were last added, which is the
 * order of fabric8's store ({@code LinkedHashMap}, an update removes and re-adds): lists come out in the same order
 * as before. A query without a {@code plural} gets {@code null} (scan everything).
 *
 * <p>Not thread-safe: used under the store's lock.
 */
final class StoreIndex {

    private static final String PLURAL = KubernetesAttributesExtractor.PLURAL;
    private static final String NAMESPACE = KubernetesAttributesExtractor.NAMESPACE;
    private static final String NAME = KubernetesAttributesExtractor.NAME;
    /** Cluster-scoped objects' namespace in the bucket keys. */
    private static final String NO_NAMESPACE = "";
    /** The prefix of a label's attribute in a key ({@code KubernetesAttributesExtractor.LABEL_KEY_PREFIX}). */
    private static final String LABEL = "labels:";
    /** {@code AttributeSet.attributes}: fabric8 7.4 offers no other way to list a key's labels. */
    private static final Field ATTRIBUTES = attributesField();

    /** By plural: every object of a resource, in all namespaces (a list across namespaces). */
    private final Map<String, Set<AttributeSet>> byResource = new HashMap<>();
    /** By (plural, namespace): a list in one namespace. */
    private final Map<List<String>, Set<AttributeSet>> byNamespace = new HashMap<>();
    /** By (plural, namespace, name): a GET, PUT, PATCH or DELETE of one object. */
    private final Map<List<String>, Object> byObject = new HashMap<>();
    /** By (plural, name): an object named without a namespace (cluster-scoped, or a field selector on the name). */
    private final Map<List<String>, Object> byName = new HashMap<>();
    /** By (plural, namespace, label key, value): a list in one namespace with a label selector. */
    private final Map<List<String>, Set<AttributeSet>> byNamespaceLabel = new HashMap<>();
    /** By (plural, label key, value): a list across namespaces with a label selector. */
    private final Map<List<String>, Set<AttributeSet>> byResourceLabel = new HashMap<>();
    /**
     * Keys with a label valued {@code *}: fabric8's {@code Value} equals any value then, so such a key matches every
     * equality requirement on its label key; not a valid label value, but while one is stored lists are not narrowed
     * by labels, to stay exactly fabric8's answer.
     */
    private int wildcardLabelled;
    private int size;

    /**
     * Adds a stored object's key; a key already present keeps its place.
     *
     * @param key the key fabric8's store put the object under
     */
    void add(AttributeSet key) {
        String plural = single(key, PLURAL);
        if (plural == null) {
            // fabric8 takes a missing plural from the request path, so a stored key always has one
            throw new IllegalArgumentException("a stored object's key has no plural: " + key);
        }
        String namespace = orNone(single(key, NAMESPACE));
        String name = orNone(single(key, NAME));
        if (bucket(byResource, plural).add(key)) {
            size++;
            bucket(byNamespace, List.of(plural, namespace)).add(key);
            addSmall(byObject, List.of(plural, namespace, name), key);
            addSmall(byName, List.of(plural, name), key);
            boolean wildcard = false;
            for (Attribute label : labels(key)) {
                String labelKey = label.getKey().toString();
                String value = String.valueOf(label.getValues().get(0));
                wildcard |= "*".equals(value);
                bucket(byNamespaceLabel, List.of(plural, namespace, labelKey, value)).add(key);
                bucket(byResourceLabel, List.of(plural, labelKey, value)).add(key);
            }
            if (wildcard) {
                wildcardLabelled++;
            }
        }
    }

    /**
     * Removes a stored object's key; nothing happens if it is absent.
     *
     * @param key the key fabric8's store held the object under
     */
    void remove(AttributeSet key) {
        String plural = single(key, PLURAL);
        Set<AttributeSet> all = plural == null ? null : byResource.get(plural);
        if (all == null || !all.remove(key)) {
            return;
        }
        size--;
        if (all.isEmpty()) {
            byResource.remove(plural);
        }
        String namespace = orNone(single(key, NAMESPACE));
        String name = orNone(single(key, NAME));
        unbucket(byNamespace, List.of(plural, namespace), key);
        removeSmall(byObject, List.of(plural, namespace, name), key);
        removeSmall(byName, List.of(plural, name), key);
        boolean wildcard = false;
        for (Attribute label : labels(key)) {
            String labelKey = label.getKey().toString();
            String value = String.valueOf(label.getValues().get(0));
            wildcard |= "*".equals(value);
            unbucket(byNamespaceLabel, List.of(plural, namespace, labelKey, value), key);
            unbucket(byResourceLabel, List.of(plural, labelKey, value), key);
        }
        if (wildcard) {
            wildcardLabelled--;
        }
    }

    /** Forgets every key. */
    void clear() {
        byResource.clear();
        byNamespace.clear();
        byObject.clear();
        byName.clear();
        byNamespaceLabel.clear();
        byResourceLabel.clear();
        wildcardLabelled = 0;
        size = 0;
    }

    /** @return how many keys are indexed */
    int size() {
        return size;
    }

    /**
     * @param query the attributes of a request (fabric8's {@code KubernetesAttributesExtractor.fromPath})
     * @return the keys that may match {@code query}, a superset of the matching ones in store order (empty if none
     *         can), or {@code null} when the query names no resource and every stored key must be scanned
     */
    Collection<AttributeSet> candidates(AttributeSet query) {
        String plural = with(query, PLURAL);
        if (plural == null) {
            return null;
        }
        String namespace = with(query, NAMESPACE);
        if (namespace == null) {
            namespace = with(query, "metadata.namespace");
        }
        String name = with(query, NAME);
        if (name == null) {
            name = with(query, "metadata.name");
        }
        Collection<AttributeSet> bucket;
        if (name != null && namespace != null) {
            bucket = small(byObject.get(List.of(plural, namespace, name)));
        } else if (name != null) {
            bucket = small(byName.get(List.of(plural, name)));
        } else if (namespace != null) {
            bucket = byNamespace.get(List.of(plural, namespace));
        } else {
            bucket = byResource.get(plural);
        }
        if (bucket == null) {
            return List.of();
        }
        return name == null ? narrowedByLabels(query, plural, namespace, bucket) : bucket;
    }

    /**
     * @return the smallest of {@code bucket} and the label buckets of {@code query}'s equality requirements; every
     *         key matching the query is in each of them, and each keeps store order
     */
    private Collection<AttributeSet> narrowedByLabels(AttributeSet query, String plural, String namespace,
                                                      Collection<AttributeSet> bucket) {
        Collection<AttributeSet> smallest = bucket;
        if (wildcardLabelled > 0) {
            return smallest;
        }
        for (Attribute requirement : attributes(query)) {
            String labelKey = requirement.getKey().toString();
            if (!labelKey.startsWith(LABEL)) {
                continue;
            }
            String value = with(query, labelKey);
            if (value == null) {
                value = inOne(requirement);
            }
            if (value == null) {
                continue;
            }
            Set<AttributeSet> labelled = namespace != null
                ? byNamespaceLabel.get(List.of(plural, namespace, labelKey, value))
                : byResourceLabel.get(List.of(plural, labelKey, value));
            if (labelled == null) {
                return List.of();
            }
            if (labelled.size() < smallest.size()) {
                smallest = labelled;
            }
        }
        return smallest;
    }

    /** @return the one value of an {@code in} requirement with a single value, else null */
    private static String inOne(Attribute requirement) {
        if (requirement.getType() != AttributeType.IN || requirement.getValues().size() != 1) {
            return null;
        }
        Value value = requirement.getValues().get(0);
        String text = value == null ? null : value.toString();
        return text == null || "*".equals(text) ? null : text;
    }

    /** @return a stored key's labels: its {@code labels:<key>} attributes of one value */
    private static List<Attribute> labels(AttributeSet key) {
        List<Attribute> labels = new ArrayList<>();
        for (Attribute attribute : attributes(key)) {
            if (attribute.getKey().toString().startsWith(LABEL) && attribute.getValues().size() == 1
                && attribute.getValues().get(0) != null) {
                labels.add(attribute);
            }
        }
        return labels;
    }

    @SuppressWarnings("unchecked")
    private static Collection<Attribute> attributes(AttributeSet set) {
        try {
            return ((Map<Key, Attribute>) ATTRIBUTES.get(set)).values();
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("fabric8's AttributeSet.attributes is not readable", e);
        }
    }

    private static Field attributesField() {
        try {
            Field field = AttributeSet.class.getDeclaredField("attributes");
            field.setAccessible(true);
            return field;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("fabric8's AttributeSet has no field 'attributes' (7.4 has): the store "
                + "cannot index labels", e);
        }
    }


    /**
     * @return the one value of {@code query}'s attribute {@code key} when the query requires it to equal that value
     *         (a path segment or an {@code =} selector), else null; the mock's wildcard value {@code *} is no value
     */
    private static String with(AttributeSet query, String key) {
        Attribute attribute = query.getAttribute(key);
        if (attribute == null || attribute.getType() != AttributeType.WITH || attribute.getValues().size() != 1) {
            return null;
        }
        Value value = attribute.getValues().get(0);
        String text = value == null ? null : value.toString();
        return text == null || "*".equals(text) ? null : text;
    }

    private static String single(AttributeSet key, String name) {
        Attribute attribute = key.getAttribute(name);
        if (attribute == null || attribute.getValues().isEmpty()) {
            return null;
        }
        return String.valueOf(attribute.getValues().get(0));
    }

    private static String orNone(String value) {
        return value == null ? NO_NAMESPACE : value;
    }

    private static <K> Set<AttributeSet> bucket(Map<K, Set<AttributeSet>> buckets, K key) {
        return buckets.computeIfAbsent(key, k -> new LinkedHashSet<>());
    }

    /**
     * Adds {@code key} to a bucket that usually holds one key (one object's, or one name's): held as the key itself,
     * a set in add order only from the second key on, which halves the index's memory.
     */
    @SuppressWarnings("unchecked")
    private static void addSmall(Map<List<String>, Object> buckets, List<String> at, AttributeSet key) {
        buckets.merge(at, key, (present, added) -> {
            if (present instanceof AttributeSet one) {
                if (one.equals(added)) {
                    return one;
                }
                Set<AttributeSet> set = new LinkedHashSet<>();
                set.add(one);
                set.add((AttributeSet) added);
                return set;
            }
            ((Set<AttributeSet>) present).add((AttributeSet) added);
            return present;
        });
    }

    private static void removeSmall(Map<List<String>, Object> buckets, List<String> at, AttributeSet key) {
        Object present = buckets.get(at);
        if (present instanceof AttributeSet one) {
            if (one.equals(key)) {
                buckets.remove(at);
            }
        } else if (present instanceof Set<?> set && set.remove(key)) {
            if (set.size() == 1) {
                buckets.put(at, set.iterator().next());
            } else if (set.isEmpty()) {
                buckets.remove(at);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Collection<AttributeSet> small(Object bucket) {
        if (bucket == null) {
            return List.of();
        }
        return bucket instanceof AttributeSet one ? List.of(one) : (Set<AttributeSet>) bucket;
    }

    private static <K> void unbucket(Map<K, Set<AttributeSet>> buckets, K key, AttributeSet value) {
        Set<AttributeSet> bucket = buckets.get(key);
        if (bucket != null && bucket.remove(value) && bucket.isEmpty()) {
            buckets.remove(key);
        }
    }
}

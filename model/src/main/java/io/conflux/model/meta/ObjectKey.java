package io.conflux.model.meta;

/**
 * The identity of a namespaced Flux object as Conflux writes it in Kafka keys and logs:
 * {@code <Kind>/<namespace>/<name>}, e.g. {@code Kustomization/flux-system/apps}.
 *
 * @param kind      object kind
 * @param namespace object namespace
 * @param name      object name
 */
public record ObjectKey(String kind, String namespace, String name) {

    /** @return {@code kind/namespace/name} */
    @Override
    public String toString() {
        return kind + "/" + namespace + "/" + name;
    }

    /**
     * Parses {@code kind/namespace/name}.
     *
     * @throws IllegalArgumentException when the text is missing (null, e.g. a Kafka record without its key field) or
     *                                  does not have three non-empty parts
     */
    public static ObjectKey parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("missing object key <kind>/<namespace>/<name>");
        }
        String[] parts = text.split("/", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
            throw new IllegalArgumentException("not an object key <kind>/<namespace>/<name>: " + text);
        }
        return new ObjectKey(parts[0], parts[1], parts[2]);
    }
}

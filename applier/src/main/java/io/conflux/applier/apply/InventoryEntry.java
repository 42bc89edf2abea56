package io.conflux.applier.apply;

import io.conflux.model.kustomize.ResourceInventory.ResourceRef;

/**
 * One object of an inventory, in Flux's {@code ObjMetadata} form ({@code github.com/fluxcd/cli-utils} object
 * metadata): id {@code <namespace>_<name>_<group>_<kind>}, with empty namespace for cluster-scoped objects and
 * empty group for the core API.
 *
 * @param namespace namespace, empty for cluster-scoped objects
 * @param name      name
 * @param group     API group, empty for core
 * @param kind      kind
 * @param version   API version without group, e.g. {@code v1}
 */
public record InventoryEntry(String namespace, String name, String group, String kind, String version) {

    /** @return Flux's inventory id */
    public String id() {
        return namespace + "_" + name + "_" + group + "_" + kind;
    }

    /** @return {@code group/version}, or {@code version} for the core group */
    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** @return {@code Kind/namespace/name} or {@code Kind/name} for cluster-scoped objects, as Flux logs changes */
    public String subject() {
        return namespace.isEmpty() ? kind + "/" + name : kind + "/" + namespace + "/" + name;
    }

    /** @return the {@code status.inventory} entry */
    public ResourceRef toRef() {
        return new ResourceRef(id(), version);
    }

    /**
     * Parses a {@code status.inventory} entry.
     *
     * @throws IllegalArgumentException when the id has not four {@code _}-separated parts
     */
    public static InventoryEntry fromRef(ResourceRef ref) {
        String[] p = ref.id().split("_", -1);
        if (p.length != 4) {
            throw new IllegalArgumentException("not an inventory id <namespace>_<name>_<group>_<kind>: " + ref.id());
        }
        return new InventoryEntry(p[0], p[1], p[2], p[3], ref.v());
    }

    /** @return the entry for an apiVersion ({@code group/version} or {@code version}), kind, namespace and name */
    public static InventoryEntry of(String apiVersion, String kind, String namespace, String name) {
        int slash = apiVersion.indexOf('/');
        String group = slash < 0 ? "" : apiVersion.substring(0, slash);
        String version = slash < 0 ? apiVersion : apiVersion.substring(slash + 1);
        return new InventoryEntry(namespace == null ? "" : namespace, name, group, kind, version);
    }
}

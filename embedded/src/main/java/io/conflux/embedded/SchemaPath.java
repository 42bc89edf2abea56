package io.conflux.embedded;

import com.fasterxml.jackson.core.JsonPointer;

/**
 * A place in an object during a schema walk: the kube-apiserver field path ({@code spec.items[0].name},
 * {@code spec.map[key]}) and the JSON pointer to it. Immutable.
 */
record SchemaPath(String field, JsonPointer pointer) {

    /** The object's root. */
    static final SchemaPath ROOT = new SchemaPath("", JsonPointer.empty());

    /** @return the path of property {@code name} of this object */
    SchemaPath property(String name) {
        return new SchemaPath(field.isEmpty() ? name : field + "." + name, pointer.appendProperty(name));
    }

    /** @return the path of map entry {@code key} of this object (additionalProperties) */
    SchemaPath key(String key) {
        return new SchemaPath(field + "[" + key + "]", pointer.appendProperty(key));
    }

    /** @return the path of item {@code i} of this array */
    SchemaPath index(int i) {
        return new SchemaPath(field + "[" + i + "]", pointer.appendIndex(i));
    }

    /** @return the field path, {@code <nil>} at the root as Kubernetes prints it */
    String display() {
        return field.isEmpty() ? "<nil>" : field;
    }
}

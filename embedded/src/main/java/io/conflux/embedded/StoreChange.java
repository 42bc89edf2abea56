package io.conflux.embedded;

import io.fabric8.mockwebserver.crud.AttributeSet;

/**
 * One committed change of the in-memory store, as its watches see it: the key and JSON of the object before (null
 * for a create) and after (null for a delete), at the {@code resourceVersion} the change was committed at (a delete
 * gets one of its own, as on kube-apiserver, where etcd's revision moves on every write).
 *
 * @param resourceVersion the change's resourceVersion, increasing from change to change
 * @param oldKey          the store key of the object before, null for a create
 * @param oldState        its JSON before, null for a create
 * @param newKey          the store key after, null for a delete
 * @param newState        its JSON after, null for a delete
 */
record StoreChange(long resourceVersion, AttributeSet oldKey, String oldState, AttributeSet newKey, String newState) {

    /** @return the {@code plural} of the changed object's resource (the history and the watches are kept by it) */
    String plural() {
        AttributeSet key = newKey != null ? newKey : oldKey;
        return WatchHistory.plural(key);
    }
}

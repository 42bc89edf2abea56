package io.conflux.embedded;

import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The last changes of each resource (by {@code plural}), from which a watch opened at {@code resourceVersion} X gets
 * every change committed after X — kube-apiserver's watch cache, which keeps a window of recent events per resource
 * ({@code --default-watch-cache-size}, sized by time in recent releases) and answers a watch from an older
 * resourceVersion with {@code 410 Gone} ("too old resource version"), upon which an informer lists again.
 *
 * <p>Holds at most {@link #CHANGES_PER_RESOURCE} changes and {@link #CHARS_PER_RESOURCE} characters of JSON per
 * resource (each change's state after, or before for a delete: the stored strings themselves, shared with the store
 * while current, so what the window costs is the states since replaced). Not thread-safe: changes are recorded under
 * the store's write lock and read under its read lock.
 */
final class WatchHistory {

    /**
     * Changes kept per resource. An informer lists (resourceVersion X), then watches from X; the changes committed in
     * between must still be here, else it gets {@code 410} and lists again. 4,096 covers several seconds of a busy
     * installation's status writes (bench/README.md: ~1,000 Kustomizations Ready in under a minute, a few writes
     * each) at a few MiB.
     */
    static final int CHANGES_PER_RESOURCE = 4096;

    /**
     * Characters of JSON kept per resource, so that a resource of large objects (Helm's release Secrets, tens of KiB
     * each) keeps fewer changes: 8 Mi characters, 8 MiB of Latin-1 strings.
     */
    static final long CHARS_PER_RESOURCE = 8L << 20;

    private final Map<String, Window> byResource = new HashMap<>();

    /** Records {@code change}, the newest; drops the resource's oldest change beyond {@link #CHANGES_PER_RESOURCE}. */
    void record(StoreChange change) {
        byResource.computeIfAbsent(change.plural(), p -> new Window()).add(change);
    }

    /**
     * @param plural          the resource
     * @param resourceVersion a watch's starting point
     * @return the resource's changes after {@code resourceVersion}, oldest first; empty when changes after it were
     *         dropped already (the watch is too old)
     */
    Optional<List<StoreChange>> since(String plural, long resourceVersion) {
        Window window = byResource.get(plural);
        if (window == null) {
            return Optional.of(List.of());
        }
        if (resourceVersion < window.dropped) {
            return Optional.empty();
        }
        List<StoreChange> after = new ArrayList<>();
        Iterator<StoreChange> newestFirst = window.changes.descendingIterator();
        while (newestFirst.hasNext()) {
            StoreChange change = newestFirst.next();
            if (change.resourceVersion() <= resourceVersion) {
                break;
            }
            after.add(change);
        }
        Collections.reverse(after);
        return Optional.of(after);
    }

    /** @return the oldest resourceVersion a watch of {@code plural} can start from */
    long oldest(String plural) {
        Window window = byResource.get(plural);
        return window == null ? 0 : window.dropped;
    }

    void clear() {
        byResource.clear();
    }

    /** @return the {@code plural} attribute of a store key or query, "" when it has none */
    static String plural(AttributeSet key) {
        Attribute plural = key == null ? null : key.getAttribute(KubernetesAttributesExtractor.PLURAL);
        return plural == null || plural.getValues().isEmpty() ? "" : String.valueOf(plural.getValues().get(0));
    }

    /**
     * One resource's changes, oldest first, their characters, and the resourceVersion of the newest change dropped
     * (0: none). The newest change is always kept.
     */
    private static final class Window {
        final Deque<StoreChange> changes = new ArrayDeque<>();
        long chars;
        long dropped;

        void add(StoreChange change) {
            changes.addLast(change);
            chars += size(change);
            while (changes.size() > 1 && (changes.size() > CHANGES_PER_RESOURCE || chars > CHARS_PER_RESOURCE)) {
                StoreChange oldest = changes.removeFirst();
                chars -= size(oldest);
                dropped = oldest.resourceVersion();
            }
        }

        private static long size(StoreChange change) {
            return change.newState() != null ? change.newState().length() : change.oldState().length();
        }
    }
}

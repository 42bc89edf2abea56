package io.conflux.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.mockwebserver.crud.AttributeSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The window of changes a watch from a resourceVersion starts with, as kube-apiserver's watch cache keeps one. */
class WatchHistoryTest {

    private static final KubernetesAttributesExtractor PATHS = new KubernetesAttributesExtractor();

    private static StoreChange change(long resourceVersion, String plural, String json) {
        AttributeSet key = PATHS.fromPath("/api/v1/namespaces/default/" + plural + "/o-" + resourceVersion);
        return new StoreChange(resourceVersion, null, null, key, json);
    }

    private static List<Long> versions(Optional<List<StoreChange>> changes) {
        return changes.orElseThrow().stream().map(StoreChange::resourceVersion).toList();
    }

    @Test
    void aWatchGetsTheChangesOfItsResourceAfterItsVersionOldestFirst() {
        WatchHistory history = new WatchHistory();
        for (long rv = 1; rv <= 6; rv++) {
            history.record(change(rv, rv % 2 == 0 ? "configmaps" : "secrets", "{}"));
        }
        assertThat(versions(history.since("configmaps", 2))).containsExactly(4L, 6L);
        assertThat(versions(history.since("secrets", 0))).containsExactly(1L, 3L, 5L);
        assertThat(versions(history.since("secrets", 5))).isEmpty();
        assertThat(versions(history.since("pods", 1))).as("a resource without changes").isEmpty();
    }

    @Test
    void aWatchFromBeforeTheWindowIsTooOld() {
        WatchHistory history = new WatchHistory();
        int changes = WatchHistory.CHANGES_PER_RESOURCE + 10;
        for (long rv = 1; rv <= changes; rv++) {
            history.record(change(rv, "configmaps", "{}"));
        }
        history.record(change(changes + 1, "secrets", "{}"));
        assertThat(history.since("configmaps", 9)).as("changes 1-10 were dropped").isEmpty();
        assertThat(history.oldest("configmaps")).isEqualTo(10);
        assertThat(versions(history.since("configmaps", 10))).hasSize(WatchHistory.CHANGES_PER_RESOURCE)
            .startsWith(11L).endsWith((long) changes);
        assertThat(versions(history.since("secrets", 1))).as("another resource keeps its own window")
            .containsExactly(changes + 1L);
    }

    @Test
    void largeObjectsShortenTheWindow() {
        WatchHistory history = new WatchHistory();
        String large = "x".repeat((int) (WatchHistory.CHARS_PER_RESOURCE / 4));
        for (long rv = 1; rv <= 6; rv++) {
            history.record(change(rv, "secrets", large));
        }
        assertThat(versions(history.since("secrets", 2))).containsExactly(3L, 4L, 5L, 6L);
        assertThat(history.since("secrets", 1)).isEmpty();
    }
}

package io.conflux.applier.release;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code status.history} is cut as helm-controller's {@code Snapshots.Truncate} ({@code api/v2/snapshot_types.go}): the
 * latest snapshot down to the previous deployed or superseded one without failed tests (unless ignored), else the
 * newest five.
 */
class ReleaseSnapshotsTest {

    @Test
    void keepsTheLatestDownToThePreviousRelease() {
        assertThat(versions(ReleaseSnapshots.of(List.of(record(1, "superseded", null), record(2, "superseded", null),
                record(3, "deployed", null)), false))).containsExactly(3, 2);
        assertThat(versions(ReleaseSnapshots.of(List.of(record(1, "superseded", null), record(2, "failed", null),
                record(3, "failed", null), record(4, "deployed", null)), false))).containsExactly(4, 3, 2, 1);
        assertThat(versions(ReleaseSnapshots.of(List.of(record(1, "deployed", null)), false))).containsExactly(1);
    }

    @Test
    void aPreviousReleaseWhoseTestsFailedDoesNotCountUnlessTestsAreIgnored() {
        List<Map<String, Object>> records = List.of(record(1, "superseded", "Succeeded"), record(2, "superseded", "Failed"),
                record(3, "deployed", null));
        assertThat(versions(ReleaseSnapshots.of(records, false))).containsExactly(3, 2, 1);
        assertThat(versions(ReleaseSnapshots.of(records, true))).containsExactly(3, 2);
    }

    @Test
    void withoutAPreviousReleaseTheNewestFiveAreKept() {
        List<Map<String, Object>> failed = new ArrayList<>();
        for (int v = 1; v <= 7; v++) {
            failed.add(record(v, "failed", null));
        }
        assertThat(versions(ReleaseSnapshots.of(failed, false))).containsExactly(7, 6, 5, 4, 3);
        assertThat(versions(ReleaseSnapshots.of(failed.subList(0, 5), false))).containsExactly(5, 4, 3, 2, 1);
    }

    /**
     * helm-controller keeps a snapshot in {@code status.history} after {@code maxHistory} trimmed its record: the
     * status's history is merged with the records (theirs replace the snapshots of the same version), then cut.
     */
    @Test
    void aSnapshotWhoseRecordMaxHistoryTrimmedStaysUntilTruncateCutsIt() {
        List<Map<String, Object>> before = ReleaseSnapshots.of(List.of(record(1, "deployed", null),
                record(2, "failed", null), record(3, "failed", null)), false);
        assertThat(versions(before)).containsExactly(3, 2, 1);
        // maxHistory 2: the upgrade to 4 left the records of 3 and 4 (Helm's storage trimmed 1 and 2)
        List<Map<String, Object>> after = ReleaseSnapshots.merge(List.of(record(3, "failed", null),
                record(4, "failed", null)), before, "app", "default", false);
        assertThat(versions(after)).as("down to the previous release, 1, whose record is gone")
                .containsExactly(4, 3, 2, 1);
        assertThat(after.get(3)).isEqualTo(before.get(2));
        assertThat(versions(ReleaseSnapshots.of(List.of(record(3, "failed", null), record(4, "failed", null)), false)))
                .as("what the records alone give").containsExactly(4, 3);

        // a record's newer state replaces its snapshot; the snapshots of another release are not this one's
        List<Map<String, Object>> superseded = ReleaseSnapshots.merge(List.of(record(4, "superseded", null),
                record(5, "deployed", null)), after, "app", "default", false);
        assertThat(superseded).extracting(s -> s.get("version") + " " + s.get("status"))
                .containsExactly("5 deployed", "4 superseded");
        Map<String, Object> other = new LinkedHashMap<>(before.get(0));
        other.put("name", "renamed");
        assertThat(versions(ReleaseSnapshots.merge(List.of(record(1, "deployed", null)), List.of(other), "app",
                "default", false))).containsExactly(1);
    }

    @Test
    void anUninstallKeepsTheHistoryWithTheLatestUninstalled() {
        List<Map<String, Object>> before = ReleaseSnapshots.of(List.of(record(1, "superseded", null),
                record(2, "deployed", null)), false);
        List<Map<String, Object>> after = ReleaseSnapshots.merge(ReleaseSnapshots.uninstalled(List.of(
                record(1, "superseded", null), record(2, "deployed", null)),
                java.time.Instant.parse("2026-12-07T02:00:00.5Z")), before, "app", "default", false);
        assertThat(after).extracting(s -> s.get("version") + " " + s.get("status"))
                .containsExactly("2 uninstalled", "1 superseded");
        assertThat(after.get(0)).containsEntry("deleted", "2026-12-07T02:00:00Z");
    }

    private static List<Object> versions(List<Map<String, Object>> snapshots) {
        return snapshots.stream().map(s -> s.get("version")).toList();
    }

    /** A decoded Helm release record; with a test hook run in phase {@code testPhase} unless it is null. */
    private static Map<String, Object> record(int version, String status, String testPhase) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("name", "app");
        r.put("namespace", "default");
        r.put("version", version);
        r.put("info", Map.of("status", status, "first_deployed", "2026-12-07T01:00:00Z",
                "last_deployed", "2026-12-07T01:00:00Z"));
        r.put("chart", Map.of("metadata", Map.of("name", "app", "version", "1.0." + version)));
        r.put("config", Map.of());
        if (testPhase != null) {
            r.put("hooks", List.of(Map.of("name", "app-test", "events", List.of("test"), "last_run", Map.of(
                    "started_at", "2026-12-07T01:00:01Z", "completed_at", "2026-12-07T01:00:02Z", "phase", testPhase))));
        }
        return r;
    }
}

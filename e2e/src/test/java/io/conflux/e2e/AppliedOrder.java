package io.conflux.e2e;

import io.conflux.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Whether a revision was ever applied after a newer one: the applier's history (table {@code reconcile_history}, the
 * rows behind {@code GET /api/history} and {@code conflux history}, read in full from PostgreSQL since the API returns
 * at most 500 rows) of every Kustomization, its successful attempts in the order they were recorded (row id: a row is
 * written once its apply finished), each revision placed in the commit order of the run.
 *
 * <p>An attempt is <em>out of order</em> when its revision is older than one an earlier successful attempt of the same
 * Kustomization applied (the generated Kustomizations never change their spec, so all attempts are of generation 1).
 * Revisions that are not commits of the run are ignored.
 *
 * @param applies        successful attempts at a revision of the run
 * @param outOfOrder     of those, attempts that applied an older revision than an earlier one
 * @param kustomizations names of the Kustomizations with an out-of-order attempt
 * @param examples       up to five out-of-order attempts, {@code name: step N after step M}
 */
record AppliedOrder(int applies, int outOfOrder, List<String> kustomizations, List<String> examples) {

    /** The successful attempts of Kustomizations in {@code namespace}, in the order they were recorded. */
    private static final String QUERY = "SELECT object_key, source_revision FROM reconcile_history"
        + " WHERE ready AND object_key LIKE ? ORDER BY id";

    /**
     * Reads the history and checks it against the commit order.
     *
     * @param postgres  the installation's PostgreSQL
     * @param namespace the Kustomizations' namespace
     * @param commits   the run's commits, oldest first (revisions are {@code <branch>@sha1:<sha>})
     * @throws SQLException when the history cannot be read
     */
    static AppliedOrder read(EmbeddedPostgres postgres, String namespace, List<String> commits) throws SQLException {
        Map<String, Integer> step = new HashMap<>();
        for (int i = 0; i < commits.size(); i++) {
            step.put(commits.get(i), i);
        }
        Map<String, Integer> newest = new HashMap<>();
        TreeSet<String> affected = new TreeSet<>();
        List<String> examples = new ArrayList<>();
        int applies = 0;
        int outOfOrder = 0;
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(), postgres.username(), postgres.password());
             PreparedStatement q = c.prepareStatement(QUERY)) {
            q.setString(1, "Kustomization/" + namespace + "/%");
            try (ResultSet rows = q.executeQuery()) {
                while (rows.next()) {
                    String key = rows.getString(1);
                    String revision = rows.getString(2);
                    Integer at = revision == null ? null : step.get(revision.substring(revision.lastIndexOf(':') + 1));
                    if (at == null) {
                        continue;
                    }
                    applies++;
                    Integer before = newest.get(key);
                    if (before != null && at < before) {
                        outOfOrder++;
                        String name = key.substring(key.lastIndexOf('/') + 1);
                        affected.add(name);
                        if (examples.size() < 5) {
                            examples.add(name + ": step " + at + " after step " + before);
                        }
                    } else {
                        newest.put(key, at);
                    }
                }
            }
        }
        return new AppliedOrder(applies, outOfOrder, List.copyOf(affected), List.copyOf(examples));
    }
}

package io.conflux.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The figures of a fault-injection run and the end checks of issue #12 on them.
 *
 * @param settings       the run's sizes
 * @param runTime        from the start of the installation to the report
 * @param stormTime      from the first commit of the storm to the last
 * @param convergeTime   from the last commit until every check held; null when they never all held
 * @param commits        commits pushed in the storm
 * @param webhooks       push webhooks the receiver accepted (2xx)
 * @param webhooksLimited push webhooks answered 429 by the receiver's per-Receiver rate limit (by design)
 * @param webhooksFailed push webhooks answered with an error or not delivered (e.g. the receiver replica was down)
 * @param kills          {@code kill -9}s of service replicas
 * @param replicaStarts  replicas started again after a kill
 * @param failedStarts   starts after a kill that failed (tried again with backoff)
 * @param pgRestarts     PostgreSQL restarts
 * @param kafkaRestarts  Kafka broker restarts
 * @param ready          Kustomizations Ready at the last commit (root included)
 * @param total          Kustomizations (root included)
 * @param notConverged   {@code name: Ready=<status> <reason> applied <revision>} of the others
 * @param objects        the cluster against the last commit's render
 * @param order          applied-revision order from the applier's history; null when it could not be read
 * @param orderError     why the history could not be read, or null
 * @param notifications  the Slack notifications
 * @param deadLetters    records per dead-letter topic ({@link DeadLetters}); null when they could not be counted
 * @param down           replicas not running at the end (killed and not started again)
 */
record StormReport(FaultsSettings settings, Duration runTime, Duration stormTime, Duration convergeTime, int commits,
                   int webhooks, int webhooksLimited, int webhooksFailed, int kills, int replicaStarts, int failedStarts, int pgRestarts,
                   int kafkaRestarts, int ready, int total, List<String> notConverged, ExpectedObjects.Comparison objects,
                   AppliedOrder order, String orderError, NotificationCount notifications,
                   java.util.Map<String, Long> deadLetters, List<String> down) {

    /** @return the violated end checks, one line each; empty when the run passed */
    List<String> violations() {
        List<String> v = new ArrayList<>();
        if (ready != total) {
            v.add((total - ready) + " of " + total + " Kustomizations not Ready at the last commit: "
                + limit(notConverged));
        }
        if (!objects.missing().isEmpty()) {
            v.add(objects.missing().size() + " rendered objects missing on the cluster: " + limit(objects.missing()));
        }
        if (!objects.differing().isEmpty()) {
            v.add(objects.differing().size() + " objects differ from the last commit's render: "
                + limit(objects.differing()));
        }
        if (!objects.extra().isEmpty()) {
            v.add(objects.extra().size() + " objects on the cluster the render does not hold (not pruned): "
                + limit(objects.extra()));
        }
        if (order == null) {
            v.add("the applier's history could not be read: " + orderError);
        } else if (order.outOfOrder() > 0) {
            v.add(order.outOfOrder() + " applies of a revision older than one applied before, in "
                + order.kustomizations().size() + " Kustomizations, e.g. " + order.examples());
        }
        if (!notifications.missing().isEmpty()) {
            v.add(notifications.missing().size() + " Kustomizations without a success notification at the last commit: "
                + limit(notifications.missing()));
        }
        long dead = deadLettered();
        if (dead > 0) {
            v.add(dead + " records dead-lettered though every fault was transient: " + deadLetters);
        }
        if (!down.isEmpty()) {
            v.add(down.size() + " replicas did not start again after a kill: " + down);
        }
        return v;
    }

    /** @return the figures as a two-column table, one figure a line */
    String table() {
        List<String[]> rows = new ArrayList<>();
        rows.add(row("replicas per service / partitions", settings.replicas() + " / " + settings.partitions()));
        rows.add(row("commits pushed (storm time)", commits + " (" + seconds(stormTime) + ")"));
        rows.add(row("push webhooks accepted / rate-limited / failed", webhooks + " / " + webhooksLimited + " / "
            + webhooksFailed));
        rows.add(row("kill -9 of a replica / started again / failed starts", kills + " / " + replicaStarts + " / "
            + failedStarts));
        rows.add(row("replicas down at the end", Integer.toString(down.size())));
        rows.add(row("PostgreSQL restarts / Kafka restarts", pgRestarts + " / " + kafkaRestarts));
        rows.add(row("Kustomizations Ready at last commit", ready + " / " + total + " (" + percent(ready, total) + ")"));
        rows.add(row("objects expected / present / equal", objects.expected() + " / " + objects.present() + " / "
            + objects.equal()));
        rows.add(row("objects missing / differing / extra", objects.missing().size() + " / "
            + objects.differing().size() + " / " + objects.extra().size()));
        rows.add(row("applies checked / out of order", order == null ? "unreadable" : order.applies() + " / "
            + order.outOfOrder()));
        rows.add(row("notifications delivered / distinct / duplicates", notifications.delivered() + " / "
            + notifications.distinct() + " / " + notifications.duplicates()));
        rows.add(row("Kustomizations without success notification", Integer.toString(notifications.missing().size())));
        rows.add(row("records dead-lettered", deadLetters == null ? "not counted" : Long.toString(deadLettered())));
        rows.add(row("converged after last commit", convergeTime == null ? "no" : seconds(convergeTime)));
        rows.add(row("run time", seconds(runTime)));
        int width = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
        StringBuilder out = new StringBuilder("fault injection: ").append(settings.kustomizations())
            .append(" Kustomizations, ").append(settings.commits()).append(" commits, seed ").append(settings.seed())
            .append('\n');
        for (String[] r : rows) {
            out.append(String.format("  %-" + width + "s  %s%n", r[0], r[1]));
        }
        List<String> violations = violations();
        out.append(violations.isEmpty() ? "  RESULT: every check holds\n" : "  RESULT: " + violations.size()
            + " checks fail\n");
        violations.forEach(v -> out.append("  - ").append(v).append('\n'));
        return out.toString();
    }

    private long deadLettered() {
        return deadLetters == null ? 0 : deadLetters.values().stream().mapToLong(Long::longValue).sum();
    }

    private static String[] row(String figure, String value) {
        return new String[] {figure, value};
    }

    private static String seconds(Duration d) {
        return d == null ? "-" : String.format("%.1f s", d.toMillis() / 1000.0);
    }

    private static String percent(int part, int whole) {
        return whole == 0 ? "-" : String.format("%.1f %%", 100.0 * part / whole);
    }

    private static String limit(List<String> items) {
        return items.size() <= 8 ? items.toString() : items.subList(0, 8) + " and " + (items.size() - 8) + " more";
    }
}

package io.conflux.cli.table;

import io.conflux.model.helm.HelmRelease;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.source.GitRepository;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tables {@code flux get} prints, read from the management cluster: one row per object with namespace, name,
 * revision, suspended, ready and message.
 */
public final class StatusTable {
    /** The applier's condition naming what it left out of a Kustomization's apply ({@code SkippedObjectsReport}). */
    static final String SKIPPED = "ToolkitObjectsSkipped";
    private StatusTable() {
    }

    /**
     * One row.
     *
     * @param ready {@code True}, {@code False} or {@code Unknown} (no Ready condition yet)
     */
    public record Row(String kind, String namespace, String name, String revision, boolean suspended, String ready,
                      String message) {
    }

    /** @return every Kustomization, sorted by namespace and name */
    public static List<Row> kustomizations(KubernetesClient client) {
        List<Row> rows = new ArrayList<>();
        for (Kustomization k : client.resources(Kustomization.class).inAnyNamespace().list().getItems()) {
            var s = k.getStatus();
            rows.add(row("Kustomization", k.getMetadata().getNamespace(), k.getMetadata().getName(),
                    s == null ? null : s.lastAppliedRevision(), k.getSpec() != null && k.getSpec().suspended(),
                    s == null ? null : s.conditions()));
        }
        return sorted(rows);
    }

    /** @return every HelmRelease, sorted by namespace and name */
    public static List<Row> helmReleases(KubernetesClient client) {
        List<Row> rows = new ArrayList<>();
        Map<String, String> latest = new java.util.HashMap<>();
        for (var g : client.genericKubernetesResources("helm.toolkit.fluxcd.io/v2", "HelmRelease").inAnyNamespace()
                .list().getItems()) {
            latestChartVersion(g.get("status")).ifPresent(v -> latest.put(g.getMetadata().getNamespace() + "/"
                    + g.getMetadata().getName(), v));
        }
        for (HelmRelease h : client.resources(HelmRelease.class).inAnyNamespace().list().getItems()) {
            var s = h.getStatus();
            // flux get hr's revision: the latest history snapshot's chart version, else lastAttemptedRevision (v2 has
            // no lastAppliedRevision)
            String fromHistory = latest.get(h.getMetadata().getNamespace() + "/" + h.getMetadata().getName());
            rows.add(row("HelmRelease", h.getMetadata().getNamespace(), h.getMetadata().getName(),
                    fromHistory != null ? fromHistory : s == null ? null : s.lastAttemptedRevision(), false,
                    s == null ? null : s.conditions()));
        }
        return sorted(rows);
    }

    /**
     * @param status a HelmRelease's status as a tree
     * @return the {@code chartVersion} of the latest (first) snapshot of {@code status.history}, as {@code flux get hr}
     *         shows it, if there is one
     */
    static java.util.Optional<String> latestChartVersion(Object status) {
        if (status instanceof Map<?, ?> s && s.get("history") instanceof List<?> history && !history.isEmpty()
                && history.get(0) instanceof Map<?, ?> snapshot && snapshot.get("chartVersion") != null) {
            return java.util.Optional.of(String.valueOf(snapshot.get("chartVersion")));
        }
        return java.util.Optional.empty();
    }

    /** @return every GitRepository, sorted by namespace and name */
    public static List<Row> gitRepositories(KubernetesClient client) {
        List<Row> rows = new ArrayList<>();
        for (GitRepository g : client.resources(GitRepository.class).inAnyNamespace().list().getItems()) {
            var s = g.getStatus();
            rows.add(row("GitRepository", g.getMetadata().getNamespace(), g.getMetadata().getName(),
                    s == null || s.artifact() == null ? null : s.artifact().revision(),
                    g.getSpec() != null && g.getSpec().suspended(), s == null ? null : s.conditions()));
        }
        return sorted(rows);
    }

    private static Row row(String kind, String namespace, String name, String revision, boolean suspended,
                           List<Condition> conditions) {
        Optional<Condition> ready = Conditions.find(conditions, Condition.READY);
        String message = ready.map(Condition::message).orElse("waiting to be reconciled");
        // the applier's report of the toolkit CRDs and Flux controllers it did not apply (a bootstrapped repository)
        Optional<Condition> skipped = Conditions.find(conditions, SKIPPED);
        if (skipped.isPresent() && skipped.get().isTrue()) {
            message = message + " (skipped: " + skipped.get().message() + ")";
        }
        return new Row(kind, namespace, name, revision == null ? "" : revision, suspended,
                ready.map(Condition::status).orElse("Unknown"), message);
    }

    private static List<Row> sorted(List<Row> rows) {
        rows.sort(Comparator.comparing(Row::namespace).thenComparing(Row::name));
        return rows;
    }

    /** @return the rows as {@code flux get -A} prints them: aligned columns, message on one line */
    public static String format(List<Row> rows) {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"NAMESPACE", "NAME", "REVISION", "SUSPENDED", "READY", "MESSAGE"});
        for (Row r : rows) {
            cells.add(new String[] {r.namespace(), r.name(), r.revision(), Boolean.toString(r.suspended()), r.ready(),
                    r.message() == null ? "" : r.message().replace('\n', ' ')});
        }
        int[] widths = new int[6];
        for (String[] row : cells) {
            for (int i = 0; i < 5; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : cells) {
            for (int i = 0; i < 5; i++) {
                out.append(String.format("%-" + (widths[i] + 3) + "s", row[i]));
            }
            out.append(row[5]).append('\n');
        }
        return out.toString();
    }
}

package io.conflux.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.model.meta.ObjectKey;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard {@code deploy/grafana/conflux.json} (issue #14) queries series the services export, under
 * the names and labels Prometheus scrapes: every {@code gotk_*} and {@code conflux_*} series one of its panels names
 * is in the Prometheus text format of a registry {@link FluxMetrics} and {@link PipelineMetrics} recorded into (as the
 * services' {@code /q/metrics} serves it), with every label the query selects or groups by. The Kafka client's
 * {@code kafka_consumer_fetch_manager_records_lag} comes from Quarkus' Kafka binder, checked on a running applier by
 * its {@code ObservabilityTest}.
 */
class GrafanaDashboardTest {
    private static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "conflux.json");
    private static final Pattern SERIES = Pattern.compile("\\b((?:gotk|conflux|kafka)_[a-z_]+)(\\{[^}]*})?");
    private static final Pattern LABEL = Pattern.compile("([a-z_]+)\\s*=~?");
    private static final Pattern GROUP = Pattern.compile("by \\(([^)]*)\\)");
    private static final Set<String> KAFKA_BINDER = Set.of("kafka_consumer_fetch_manager_records_lag",
            "kafka_consumer_fetch_manager_records_lag_max");

    @Test
    // the services' registry is the one quarkus-micrometer-registry-prometheus 3.29 ships: Micrometer's simpleclient
    // registry, deprecated upstream; the test exports through the same one
    @SuppressWarnings("deprecation")
    void everySeriesAPanelQueriesIsExportedWithTheLabelsItUses() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ObjectKey key = new ObjectKey("Kustomization", "flux-system", "apps");
        FluxMetrics flux = new FluxMetrics(registry);
        flux.recordDuration(key, Duration.ofSeconds(2));
        flux.recordCondition(key, "Ready", "False");
        flux.recordSuspend(key, false);
        PipelineMetrics pipeline = new PipelineMetrics(registry);
        pipeline.webhookToApplied("Kustomization", Instant.now().minusSeconds(5).toString(), Instant.now());
        pipeline.renderDuration("Kustomization", true, Duration.ofMillis(300));
        pipeline.bundleSize("Kustomization", 2048);
        pipeline.delivery("slack", "SENT");
        List<String> scraped = registry.scrape().lines().filter(l -> !l.startsWith("#")).toList();

        List<String> queries = new ArrayList<>();
        collectExpressions(new ObjectMapper().readTree(DASHBOARD.toFile()), queries);
        assertThat(queries).as("the dashboard's PromQL expressions").isNotEmpty();
        int checked = 0;
        for (String query : queries) {
            Matcher series = SERIES.matcher(query);
            assertThat(series.find()).as("a Conflux or Flux series in: " + query).isTrue();
            do {
                String name = series.group(1);
                if (KAFKA_BINDER.contains(name)) {
                    continue;
                }
                List<String> samples = scraped.stream().filter(l -> l.startsWith(name + "{")).toList();
                assertThat(samples).as(name + " (queried by " + query + ") in:\n" + String.join("\n", scraped))
                        .isNotEmpty();
                for (String label : labels(query, series.group(2))) {
                    assertThat(samples).as("label " + label + " of " + name + " (queried by " + query + ")")
                            .allMatch(l -> l.contains(label + "=\""));
                }
                checked++;
            } while (series.find());
        }
        assertThat(checked).isGreaterThanOrEqualTo(10);
    }

    /** @return the labels a query selects on ({@code {type="Ready"}}) or groups by ({@code by (le, kind)}) */
    private static Set<String> labels(String query, String selector) {
        Set<String> labels = new java.util.TreeSet<>();
        if (selector != null) {
            Matcher m = LABEL.matcher(selector);
            while (m.find()) {
                labels.add(m.group(1));
            }
        }
        Matcher by = GROUP.matcher(query);
        while (by.find()) {
            for (String l : by.group(1).split(",")) {
                labels.add(l.trim());
            }
        }
        return labels;
    }

    private static void collectExpressions(JsonNode node, List<String> out) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                if (e.getKey().equals("expr") && e.getValue().isTextual()) {
                    out.add(e.getValue().asText());
                } else {
                    collectExpressions(e.getValue(), out);
                }
            }
        } else if (node.isArray()) {
            node.forEach(n -> collectExpressions(n, out));
        }
    }
}

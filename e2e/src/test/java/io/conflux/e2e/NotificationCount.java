package io.conflux.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Slack notifications of a run, counted per (object, revision, outcome): object is the attachment's author
 * ({@code kustomization/<name>.<namespace>}), revision its {@code revision} field, outcome its colour ({@code good}
 * for a succeeded reconciliation, {@code danger} for a failed one). A key delivered more than once is an
 * at-least-once duplicate (a reconcile repeated after a crash, or a delivery retried); the issue allows them when
 * counted.
 *
 * @param delivered  notifications received
 * @param distinct   distinct (object, revision, outcome) keys among them
 * @param duplicates {@code delivered - distinct}
 * @param missing    Kustomizations (by name) with no {@code good} notification at the last commit's revision
 */
record NotificationCount(int delivered, int distinct, int duplicates, List<String> missing) {

    /**
     * @param messages       the Slack sink's messages
     * @param namespace      the Kustomizations' namespace
     * @param kustomizations every Kustomization that should have reported success at {@code lastSha}
     * @param lastSha        the last commit
     */
    static NotificationCount of(List<JsonNode> messages, String namespace, List<String> kustomizations, String lastSha) {
        Map<String, Integer> perKey = new HashMap<>();
        int delivered = 0;
        for (JsonNode m : messages) {
            JsonNode attachment = m.path("attachments").path(0);
            String author = attachment.path("author_name").asText();
            if (!author.startsWith("kustomization/")) {
                continue;
            }
            delivered++;
            perKey.merge(author + "|" + revision(attachment) + "|" + attachment.path("color").asText(), 1, Integer::sum);
        }
        List<String> missing = new ArrayList<>();
        for (String name : kustomizations) {
            String key = "kustomization/" + name + "." + namespace + "|";
            boolean reported = perKey.keySet().stream()
                .anyMatch(k -> k.startsWith(key) && k.endsWith("|good") && k.contains(lastSha));
            if (!reported) {
                missing.add(name);
            }
        }
        return new NotificationCount(delivered, perKey.size(), delivered - perKey.size(), List.copyOf(missing));
    }

    private static String revision(JsonNode attachment) {
        for (JsonNode field : attachment.path("fields")) {
            if ("revision".equals(field.path("title").asText())) {
                return field.path("value").asText();
            }
        }
        return "";
    }
}

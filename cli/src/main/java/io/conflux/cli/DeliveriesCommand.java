package io.conflux.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code conflux deliveries}: what the notifier sent where (alert, provider), with status and attempts. */
@Command(name = "deliveries", description = "Show notification deliveries and their status (from the notifier).")
final class DeliveriesCommand implements Callable<Integer> {
    @Option(names = "--notifier-url", defaultValue = "http://127.0.0.1:9295", description = "the notifier's HTTP address (default: ${DEFAULT-VALUE})")
    String notifierUrl;
    @Option(names = "--limit", defaultValue = "50", description = "how many deliveries (default: ${DEFAULT-VALUE})")
    int limit;

    @Override
    public Integer call() throws Exception {
        JsonNode deliveries = ServiceApi.get(URI.create(notifierUrl + "/api/deliveries?limit=" + limit));
        System.out.printf("%-26s %-42s %-24s %-28s %-9s %-8s %s%n", "UPDATED", "OBJECT", "REASON", "ALERT -> PROVIDER",
                "STATUS", "ATTEMPTS", "LAST ERROR");
        for (JsonNode d : deliveries) {
            System.out.printf("%-26s %-42s %-24s %-28s %-9s %-8d %s%n", d.path("updatedAt").asText(), d.path("object").asText(),
                    d.path("reason").asText(), d.path("alert").asText() + " -> " + d.path("provider").asText() + " (" + d.path("type").asText() + ")",
                    d.path("status").asText(), d.path("attempts").asInt(), d.path("lastError").asText(""));
        }
        return 0;
    }
}

package io.conflux.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code conflux events}: the recent events the notifier received on {@code conflux.events}, newest first. */
@Command(name = "events", description = "List recent events (from the notifier).")
final class EventsCommand implements Callable<Integer> {
    @Option(names = "--notifier-url", defaultValue = "http://127.0.0.1:9295", description = "the notifier's HTTP address (default: ${DEFAULT-VALUE})")
    String notifierUrl;
    @Option(names = "--limit", defaultValue = "50", description = "how many events (default: ${DEFAULT-VALUE})")
    int limit;

    @Override
    public Integer call() throws Exception {
        JsonNode events = ServiceApi.get(URI.create(notifierUrl + "/api/events?limit=" + limit));
        System.out.printf("%-22s %-8s %-42s %-26s %s%n", "TIME", "SEVERITY", "OBJECT", "REASON", "MESSAGE");
        for (JsonNode e : events) {
            System.out.printf("%-22s %-8s %-42s %-26s %s%n", e.path("timestamp").asText(), e.path("severity").asText(),
                    e.path("object").asText(), e.path("reason").asText(), e.path("message").asText().replace('\n', ' '));
        }
        return 0;
    }
}

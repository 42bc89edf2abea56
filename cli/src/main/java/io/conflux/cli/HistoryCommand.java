package io.conflux.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code conflux history kustomization NAME}: the reconciliation attempts the applier recorded, newest first. */
@Command(name = "history", description = "Show the reconciliation history of a Kustomization or HelmRelease.")
final class HistoryCommand implements Callable<Integer> {
    @Mixin
    ObjectArguments object = new ObjectArguments();
    @Option(names = "--applier-url", defaultValue = "http://127.0.0.1:9294", description = "the applier's HTTP address (default: ${DEFAULT-VALUE})")
    String applierUrl;
    @Option(names = "--limit", defaultValue = "20", description = "how many attempts (default: ${DEFAULT-VALUE})")
    int limit;

    @Override
    public Integer call() throws Exception {
        String typeName = FluxKinds.type(object.kind).getSimpleName();
        URI uri = URI.create(applierUrl + "/api/history/" + typeName + "/" + object.namespace + "/" + object.name + "?limit=" + limit);
        JsonNode attempts = ServiceApi.get(uri);
        System.out.printf("%-26s %-52s %-24s %-6s %8s %s%n", "STARTED", "REVISION", "REASON", "READY", "DURATION", "CHANGES");
        for (JsonNode a : attempts) {
            System.out.printf("%-26s %-52s %-24s %-6s %7dms +%d ~%d -%d%n", a.path("startedAt").asText(),
                    a.path("revision").asText(), a.path("reason").asText(), a.path("ready").asBoolean(),
                    a.path("durationMs").asLong(), a.path("created").asInt(), a.path("configured").asInt(), a.path("deleted").asInt());
        }
        return 0;
    }
}

package io.conflux.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.net.URI;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code conflux history kustomization|helmrelease NAME [-n NAMESPACE]}: the reconciliation attempts the applier
 * recorded ({@code GET <applier-url>/api/history/<Kind>/<namespace>/<name>?limit=N}), newest first. One row per
 * attempt — start time, source revision, reason, Ready, duration, and the objects created, configured and pruned —
 * followed by the attempt's message (the Ready message, or the drift the applier corrected, e.g.
 * {@code drift corrected: Deployment/apps/x configured}), every line of it indented by four spaces.
 */
@Command(name = "history", description = "Show the reconciliation history of a Kustomization or HelmRelease.")
final class HistoryCommand implements Callable<Integer> {
    private static final String ROW = "%-25s %-50s %-26s %-5s %8s %7s %10s %6s%n";

    @Spec
    CommandSpec spec;
    @Mixin
    ObjectArguments object = new ObjectArguments();
    @Option(names = "--applier-url", defaultValue = "http://127.0.0.1:9294", description = "the applier's HTTP address (default: ${DEFAULT-VALUE})")
    String applierUrl;
    @Option(names = "--limit", defaultValue = "20", description = "how many attempts (default: ${DEFAULT-VALUE})")
    int limit;

    @Override
    public Integer call() throws Exception {
        String typeName = FluxKinds.of(object.kind).kind();
        URI uri = URI.create(applierUrl + "/api/history/" + typeName + "/" + object.namespace + "/" + object.name + "?limit=" + limit);
        JsonNode attempts = ServiceApi.get(uri);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(ROW, "STARTED", "REVISION", "REASON", "READY", "DURATION", "CREATED", "CONFIGURED", "PRUNED");
        for (JsonNode a : attempts) {
            out.printf(ROW, a.path("startedAt").asText(), a.path("revision").asText(), a.path("reason").asText(),
                    a.path("ready").asBoolean(), duration(a.path("durationMs").asLong()), a.path("created").asInt(),
                    a.path("configured").asInt(), a.path("deleted").asInt());
            String message = a.path("message").asText("");
            for (String line : message.strip().split("\n")) {
                if (!line.isBlank()) {
                    out.println("    " + line.strip());
                }
            }
        }
        out.flush();
        return 0;
    }

    /** @return {@code 850ms} under a second, else seconds with one decimal ({@code 12.3s}) */
    static String duration(long millis) {
        return millis < 1000 ? millis + "ms" : String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
    }
}

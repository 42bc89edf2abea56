package io.conflux.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A local HTTP endpoint standing in for a Slack incoming webhook: records every JSON body posted to it. */
final class SlackSink implements AutoCloseable {
    private final HttpServer server;
    private final List<JsonNode> messages = new CopyOnWriteArrayList<>();
    private final ObjectMapper json = new ObjectMapper();

    SlackSink() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/services/T000/B000/XXX", exchange -> {
            try (InputStream body = exchange.getRequestBody()) {
                messages.add(json.readTree(body));
            }
            byte[] ok = "ok".getBytes();
            exchange.sendResponseHeaders(200, ok.length);
            exchange.getResponseBody().write(ok);
            exchange.close();
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/services/T000/B000/XXX";
    }

    /** @return the messages whose attachment author is {@code kustomization/<name>.<namespace>} */
    List<JsonNode> about(String name, String namespace) {
        String author = "kustomization/" + name + "." + namespace;
        return messages.stream().filter(m -> author.equals(m.path("attachments").path(0).path("author_name").asText())).toList();
    }

    List<JsonNode> all() {
        return List.copyOf(messages);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

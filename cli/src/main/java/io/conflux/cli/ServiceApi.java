package io.conflux.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Reads a JSON document from a Conflux service's HTTP API (the applier's history, the notifier's events). */
final class ServiceApi {
    private ServiceApi() {
    }

    /**
     * @param uri the resource
     * @return the parsed body
     * @throws IOException          on a connection failure or a status other than 200 (named in the message)
     * @throws InterruptedException when interrupted while waiting
     */
    static JsonNode get(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(uri + " answered " + response.statusCode() + ": " + response.body());
        }
        return new ObjectMapper().readTree(response.body());
    }
}

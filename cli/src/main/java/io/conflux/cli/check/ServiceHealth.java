package io.conflux.cli.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The services' readiness ({@code GET <url>/q/health/ready}, SmallRye Health's JSON): a service that answers
 * {@code UP} is fine; one {@code DOWN} is a failure naming each {@code DOWN} check and its data — among them
 * {@code conflux-watches}, which names each failed informer watch and why; one that does not answer is a failure.
 */
public final class ServiceHealth {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ServiceHealth() {
    }

    /**
     * Reads {@code .conflux/services} written by {@code conflux up}: one {@code <name> <base url>} per line.
     *
     * @return name → base URL in file order; empty when the file does not exist
     * @throws IOException when it exists but cannot be read
     */
    public static Map<String, String> known(Path file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return out;
        }
        for (String line : Files.readAllLines(file)) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 2) {
                out.put(parts[0], parts[1]);
            }
        }
        return out;
    }

    /**
     * @param services name → base URL, e.g. {@code applier → http://127.0.0.1:9294}
     * @param timeout  bound of each request
     * @return one finding per service
     */
    public static List<Finding> check(Map<String, String> services, Duration timeout) {
        List<Finding> out = new ArrayList<>();
        HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build();
        services.forEach((name, url) -> {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url + "/q/health/ready"))
                        .timeout(timeout).GET().build(), HttpResponse.BodyHandlers.ofString());
                out.add(finding(name, response.statusCode(), response.body()));
            } catch (IOException | IllegalArgumentException e) {
                out.add(Finding.fail("services", name + " at " + url + " does not answer: " + e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                out.add(Finding.fail("services", name + ": interrupted"));
            }
        });
        return out;
    }

    /**
     * @param name   the service
     * @param status HTTP status of {@code /q/health/ready}
     * @param body   its JSON body ({@code {"status":…,"checks":[{"name":…,"status":…,"data":{…}}]}})
     * @return ok for 200 {@code UP}; otherwise a failure naming the {@code DOWN} checks and their data
     */
    static Finding finding(String name, int status, String body) {
        List<String> down = new ArrayList<>();
        try {
            JsonNode health = JSON.readTree(body);
            for (JsonNode check : health.path("checks")) {
                if (!"UP".equals(check.path("status").asText())) {
                    StringBuilder line = new StringBuilder(check.path("name").asText());
                    check.path("data").properties().forEach(f -> line.append("; ").append(f.getKey()).append(": ")
                            .append(f.getValue().asText()));
                    down.add(line.toString());
                }
            }
        } catch (IOException e) {
            down.add("unreadable health answer");
        }
        if (status == 200 && down.isEmpty()) {
            return Finding.ok("services", name + " ready");
        }
        return Finding.fail("services", name + " not ready (HTTP " + status + ")"
                + (down.isEmpty() ? "" : ": " + String.join(" | ", down)));
    }
}

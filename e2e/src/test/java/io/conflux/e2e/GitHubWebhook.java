package io.conflux.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Sends GitHub-style webhook deliveries: {@code X-GitHub-Event}, {@code X-GitHub-Delivery}, {@code X-Hub-Signature-256}. */
final class GitHubWebhook {
    private final HttpClient http = HttpClient.newHttpClient();
    private final String url;
    private final String secret;

    GitHubWebhook(String url, String secret) {
        this.url = url;
        this.secret = secret;
    }

    /** A minimal push payload as GitHub sends it. */
    static String push(String repository, String branch, String before, String after) {
        return """
                {"ref":"refs/heads/%s","before":"%s","after":"%s","created":false,"deleted":false,
                 "repository":{"full_name":"%s","clone_url":"https://github.com/%s.git","html_url":"https://github.com/%s"},
                 "head_commit":{"id":"%s","message":"change"},"pusher":{"name":"e2e"}}
                """.formatted(branch, before, after, repository, repository, repository, after);
    }

    HttpResponse<String> send(String event, String deliveryId, String body) throws IOException, InterruptedException {
        return send(event, deliveryId, body, "sha256=" + hmac(secret, body));
    }

    HttpResponse<String> send(String event, String deliveryId, String body, String signature)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .header("X-GitHub-Event", event)
                .header("X-GitHub-Delivery", deliveryId)
                .header("X-Hub-Signature-256", signature)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    static String hmac(String key, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}

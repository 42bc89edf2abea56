package io.conflux.artifacts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * A client of the read side of the OCI distribution API for one registry, as an OCIRepository needs it: tags list
 * (with {@code Link} pagination), manifest digest by tag (HEAD, GET when HEAD gives no digest, as source-controller's
 * {@code getRevision}), manifest by digest, blob by digest (checked against its digest, bounded in size). A
 * {@code 401} with a {@code Bearer} challenge is answered with a token from the realm (basic credentials when given,
 * anonymous otherwise), a {@code Basic} challenge with the credentials; redirects are followed by hand and the
 * {@code Authorization} header never goes to another host. Blocking; one call is bounded by the timeout.
 */
public final class OciClient {
    /** The manifest types asked for. */
    static final String MANIFEST_TYPES = "application/vnd.oci.image.manifest.v1+json,"
            + "application/vnd.docker.distribution.manifest.v2+json";
    private static final Pattern CHALLENGE_PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String scheme;
    private final String host;
    private final Optional<RegistryCredentials> credentials;
    private final Duration timeout;
    private final HttpClient client;
    private String authorization;

    /**
     * @param host        {@code host[:port]}
     * @param plainHttp   {@code spec.insecure}: HTTP instead of HTTPS
     * @param credentials basic credentials, or empty for anonymous access
     * @param timeout     bound of each request ({@code spec.timeout})
     * @param tls         the TLS context ({@code spec.certSecretRef}), or null for the JDK's default trust
     */
    public OciClient(String host, boolean plainHttp, Optional<RegistryCredentials> credentials, Duration timeout,
                     SSLContext tls) {
        this.scheme = plainHttp ? "http" : "https";
        this.host = host;
        this.credentials = credentials;
        this.timeout = timeout;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER);
        if (tls != null) {
            builder.sslContext(tls);
        }
        this.client = builder.build();
    }

    /**
     * @param repository e.g. {@code manifests/podinfo}
     * @return every tag, in the registry's order
     * @throws ArtifactException {@code AuthenticationFailed} on 401/403, {@code OCIArtifactPullFailed} otherwise
     */
    public List<String> tags(String repository) {
        List<String> tags = new ArrayList<>();
        String path = "/v2/" + repository + "/tags/list";
        for (int page = 0; path != null && page < 100; page++) {
            HttpResponse<byte[]> response = send("GET", repository, URI.create(scheme + "://" + host).resolve(path),
                    "application/json");
            check(response, "listing tags of " + where(repository));
            JsonNode list = parse(response.body(), "tags of " + where(repository)).path("tags");
            list.forEach(t -> tags.add(t.asText()));
            Matcher m = NEXT_LINK.matcher(response.headers().firstValue("Link").orElse(""));
            path = m.find() ? m.group(1) : null;
        }
        return tags;
    }

    /**
     * @param repository the repository
     * @param tag        the tag
     * @return the digest of the manifest the tag points at, {@code sha256:<hex>}
     * @throws ArtifactException {@code OCIArtifactPullFailed} when the tag does not exist or the registry fails
     */
    public String manifestDigest(String repository, String tag) {
        URI uri = URI.create(scheme + "://" + host + "/v2/" + repository + "/manifests/" + tag);
        HttpResponse<byte[]> head = send("HEAD", repository, uri, MANIFEST_TYPES);
        if (head.statusCode() == 200) {
            Optional<String> digest = head.headers().firstValue("Docker-Content-Digest");
            if (digest.isPresent() && Digests.valid(digest.get())) {
                return digest.get();
            }
        }
        HttpResponse<byte[]> get = send("GET", repository, uri, MANIFEST_TYPES);
        check(get, "reading manifest of " + where(repository) + ":" + tag);
        return Digests.sha256(get.body());
    }

    /**
     * @param repository the repository
     * @param digest     the manifest's digest
     * @return the manifest, its content checked against {@code digest}
     * @throws ArtifactException {@code OCIArtifactPullFailed} when it cannot be read, does not match or is not an
     *                           image manifest
     */
    public OciManifest manifest(String repository, String digest) {
        HttpResponse<byte[]> response = send("GET", repository,
                URI.create(scheme + "://" + host + "/v2/" + repository + "/manifests/" + digest), MANIFEST_TYPES);
        String what = "manifest " + digest + " of " + where(repository);
        check(response, "reading " + what);
        if (!Digests.sha256(response.body()).equals(digest)) {
            throw new ArtifactException(ArtifactException.OCI_PULL_FAILED, what + " does not match its digest");
        }
        JsonNode doc = parse(response.body(), what);
        if (!doc.path("layers").isArray()) {
            throw new ArtifactException(ArtifactException.OCI_PULL_FAILED, what + " is not an image manifest (no layers)");
        }
        List<OciManifest.Layer> layers = new ArrayList<>();
        for (JsonNode l : doc.path("layers")) {
            layers.add(new OciManifest.Layer(l.path("mediaType").asText(null), l.path("digest").asText(null),
                    l.path("size").asLong()));
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : doc.path("annotations").properties()) {
            annotations.put(e.getKey(), e.getValue().asText());
        }
        return new OciManifest(digest, doc.path("config").path("mediaType").asText(null), List.copyOf(layers),
                Map.copyOf(annotations));
    }

    /**
     * @param repository the repository
     * @param digest     the blob's digest
     * @param maxBytes   bound of the blob's size
     * @return the blob, checked against {@code digest}
     * @throws ArtifactException {@code OCIArtifactPullFailed} when it cannot be read, is larger than the bound or
     *                           does not match
     */
    public byte[] blob(String repository, String digest, long maxBytes) {
        HttpResponse<byte[]> response = send("GET", repository,
                URI.create(scheme + "://" + host + "/v2/" + repository + "/blobs/" + digest), "*/*");
        String what = "blob " + digest + " of " + where(repository);
        check(response, "downloading " + what);
        if (response.body().length > maxBytes) {
            throw new ArtifactException(ArtifactException.OCI_PULL_FAILED, what + " is larger than " + maxBytes + " bytes");
        }
        if (!Digests.sha256(response.body()).equals(digest)) {
            throw new ArtifactException(ArtifactException.OCI_PULL_FAILED, what + " does not match its digest");
        }
        return response.body();
    }

    private String where(String repository) {
        return "oci://" + host + "/" + repository;
    }

    private static JsonNode parse(byte[] body, String what) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new ArtifactException(ArtifactException.OCI_PULL_FAILED, what + ": not JSON");
        }
    }

    private static void check(HttpResponse<?> response, String doing) {
        int code = response.statusCode();
        if (code == 200) {
            return;
        }
        String reason = code == 401 || code == 403 ? ArtifactException.AUTHENTICATION_FAILED : ArtifactException.OCI_PULL_FAILED;
        throw new ArtifactException(reason, doing + ": HTTP " + code + switch (code) {
            case 401 -> " Unauthorized";
            case 403 -> " Forbidden";
            case 404 -> " Not Found";
            default -> "";
        });
    }

    private HttpResponse<byte[]> send(String method, String repository, URI uri, String accept) {
        boolean challenged = false;
        URI current = uri;
        String origin = URI.create(scheme + "://" + host).getHost();
        for (int hop = 0; hop < 10; hop++) {
            boolean sameHost = origin.equalsIgnoreCase(current.getHost());
            HttpRequest.Builder request = HttpRequest.newBuilder(current).timeout(timeout)
                    .header("User-Agent", "conflux").header("Accept", accept)
                    .method(method, HttpRequest.BodyPublishers.noBody());
            if (authorization != null && sameHost) {
                request.header("Authorization", authorization);
            }
            HttpResponse<byte[]> response = exchange(request.build(), current);
            int code = response.statusCode();
            if (code == 401 && sameHost && !challenged) {
                challenged = true;
                authorization = authorize(repository, response.headers().firstValue("WWW-Authenticate").orElse(""));
                continue;
            }
            if (code == 301 || code == 302 || code == 303 || code == 307 || code == 308) {
                String location = response.headers().firstValue("Location").orElseThrow(() -> new ArtifactException(
                        ArtifactException.OCI_PULL_FAILED, "redirect without Location from " + uri));
                current = current.resolve(location);
                continue;
            }
            return response;
        }
        throw new ArtifactException(ArtifactException.OCI_PULL_FAILED, "too many redirects from " + uri);
    }

    private String authorize(String repository, String challenge) {
        String lower = challenge.toLowerCase(Locale.ROOT);
        if (lower.startsWith("basic")) {
            return credentials.map(RegistryCredentials::basicAuthorization).orElseThrow(() -> new ArtifactException(
                    ArtifactException.AUTHENTICATION_FAILED, "registry " + host
                    + " needs credentials (HTTP 401 Unauthorized): set spec.secretRef"));
        }
        if (!lower.startsWith("bearer")) {
            throw new ArtifactException(ArtifactException.AUTHENTICATION_FAILED, "registry " + host
                    + " answered HTTP 401 Unauthorized with an unsupported challenge");
        }
        Map<String, String> params = new LinkedHashMap<>();
        Matcher m = CHALLENGE_PARAM.matcher(challenge);
        while (m.find()) {
            params.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2));
        }
        String realm = params.get("realm");
        if (realm == null) {
            throw new ArtifactException(ArtifactException.AUTHENTICATION_FAILED,
                    "registry " + host + " sent a Bearer challenge without realm");
        }
        StringBuilder url = new StringBuilder(realm).append(realm.contains("?") ? '&' : '?');
        if (params.containsKey("service")) {
            url.append("service=").append(URLEncoder.encode(params.get("service"), StandardCharsets.UTF_8)).append('&');
        }
        url.append("scope=").append(URLEncoder.encode(params.getOrDefault("scope", "repository:" + repository + ":pull"),
                StandardCharsets.UTF_8));
        URI tokenUri = URI.create(url.toString());
        HttpRequest.Builder request = HttpRequest.newBuilder(tokenUri).timeout(timeout).header("User-Agent", "conflux").GET();
        credentials.ifPresent(c -> request.header("Authorization", c.basicAuthorization()));
        HttpResponse<byte[]> response = exchange(request.build(), tokenUri);
        if (response.statusCode() != 200) {
            throw new ArtifactException(ArtifactException.AUTHENTICATION_FAILED, "getting a token from " + realm
                    + " for " + host + "/" + repository + ": HTTP " + response.statusCode()
                    + (credentials.isPresent() ? " (the credentials were rejected)"
                    : " (the registry needs credentials: set spec.secretRef)"));
        }
        JsonNode doc = parse(response.body(), "token response of " + realm);
        JsonNode token = doc.hasNonNull("token") ? doc.get("token") : doc.get("access_token");
        if (token == null) {
            throw new ArtifactException(ArtifactException.AUTHENTICATION_FAILED, "token response of " + realm + " has no token");
        }
        return "Bearer " + token.asText();
    }

    private HttpResponse<byte[]> exchange(HttpRequest request, URI uri) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw new ArtifactException(ArtifactException.OCI_PULL_FAILED,
                    "request to " + uri + " timed out after " + timeout.toMillis() + " ms", e);
        } catch (IOException e) {
            String message = e.getMessage() == null && e.getCause() != null ? e.getCause().toString() : e.getMessage();
            throw new ArtifactException(ArtifactException.OCI_PULL_FAILED, "request to " + uri + " failed: "
                    + e.getClass().getSimpleName() + (message == null ? "" : ": " + message), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ArtifactException(ArtifactException.OCI_PULL_FAILED, "request to " + uri + " interrupted", e);
        }
    }

}

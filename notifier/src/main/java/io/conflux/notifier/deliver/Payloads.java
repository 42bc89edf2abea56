package io.conflux.notifier.deliver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.model.topic.FluxEvent;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** Helpers shared by the {@link Notifier}s, after Flux's {@code internal/notifier/util.go}. */
final class Payloads {
    /** Metadata key Flux's commit-status machinery sets; value {@code update} marks an internal update event. */
    static final String COMMIT_STATUS_KEY = "commit_status";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
    private static final DateTimeFormatter GO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss Z 'UTC'", Locale.ROOT);

    private Payloads() {
    }

    /** @return the value as JSON bytes */
    static byte[] json(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize payload", e);
        }
    }

    /**
     * @return the endpoint's address as an absolute http(s) URI (Go's {@code url.ParseRequestURI} check)
     * @throws IllegalArgumentException when it is missing or not an absolute http(s) URL; the message shows at most
     *     the address's scheme and host ({@link SafeText#url}), as a webhook URL is itself a credential
     */
    static URI address(ProviderEndpoint endpoint) {
        String address = endpoint.address();
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException("provider has no address");
        }
        try {
            URI uri = new URI(address.trim());
            if (!uri.isAbsolute() || uri.getHost() == null
                    || !("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))) {
                throw new IllegalArgumentException("invalid " + endpoint.type() + " address " + SafeText.url(address)
                        + " (spec.address or the secretRef's 'address'): not an absolute http(s) URL");
            }
            return uri;
        } catch (URISyntaxException e) {
            // Without the cause: URISyntaxException's message repeats the whole input.
            throw new IllegalArgumentException("invalid " + endpoint.type() + " address " + SafeText.url(address)
                    + " (spec.address or the secretRef's 'address'): " + SafeText.reason(e));
        }
    }

    /** @return {@code <kind lower-case>/<name>.<namespace>}, as Flux titles messages */
    static String objectName(FluxEvent event) {
        FluxEvent.InvolvedObject o = event.involvedObject();
        return o.kind().toLowerCase(Locale.ROOT) + "/" + o.name() + "." + o.namespace();
    }

    /** @return the event's metadata, never null */
    static Map<String, String> metadata(FluxEvent event) {
        return event.metadata() == null ? Map.of() : event.metadata();
    }

    /** @return whether the event is Flux's internal commit-status update, which chat providers skip */
    static boolean isCommitStatusUpdate(FluxEvent event) {
        return "update".equals(metadata(event).get(COMMIT_STATUS_KEY));
    }

    /** @return {@code s}, or the empty string for null */
    static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    /** @return whether the string is null or empty */
    static boolean isEmpty(String s) {
        return s == null || s.isEmpty();
    }

    /**
     * The event's timestamp as Go's {@code time.Time.String()} prints a UTC time, e.g.
     * {@code 2026-11-21 22:00:00 +0000 UTC} (Flux puts it in Google Chat cards and Alertmanager labels).
     */
    static String goTime(String rfc3339) {
        if (rfc3339 == null) {
            return "";
        }
        try {
            return OffsetDateTime.parse(rfc3339).withOffsetSameInstant(ZoneOffset.UTC).format(GO_TIME);
        } catch (DateTimeParseException e) {
            return rfc3339;
        }
    }

    /**
     * The commit a revision names, as Flux's {@code parseRevision}: {@code main@sha1:<hex>}, {@code sha1:<hex>},
     * {@code main/<hex>} (the old format) or a bare hash, SHA-1 (40 hex digits) or SHA-256 (64).
     *
     * @throws IllegalArgumentException when no hash can be extracted
     */
    static String commitHash(String revision) {
        String r = revision.trim();
        int at = r.lastIndexOf('@');
        if (at >= 0) {
            r = r.substring(at + 1);
        } else if (r.contains("/")) {
            r = r.substring(r.lastIndexOf('/') + 1);
        }
        int colon = r.indexOf(':');
        if (colon >= 0) {
            r = r.substring(colon + 1);
        }
        if (!HEX.matcher(r).matches()) {
            throw new IllegalArgumentException("failed to extract commit hash from '" + revision + "' revision");
        }
        return r;
    }

    /** @return {@code kind/name} in lower case: the commit-status context Flux gives an object */
    static String statusName(FluxEvent event) {
        return (event.involvedObject().kind() + "/" + event.involvedObject().name()).toLowerCase(Locale.ROOT);
    }

    /** @return the reason split at camel-case boundaries, lower case: {@code ReconciliationSucceeded} → {@code reconciliation succeeded} */
    static String statusDescription(FluxEvent event) {
        return String.join(" ", splitCamelCase(nullToEmpty(event.reason()))).toLowerCase(Locale.ROOT);
    }

    /** Go's {@code splitCamelcase} of Flux's util.go: runs of one character class, upper-to-lower handed over. */
    static List<String> splitCamelCase(String src) {
        List<StringBuilder> runs = new ArrayList<>();
        int lastClass = 0;
        for (int i = 0; i < src.length(); ) {
            int cp = src.codePointAt(i);
            int cls = Character.isLowerCase(cp) ? 1 : Character.isUpperCase(cp) ? 2 : Character.isDigit(cp) ? 3 : 4;
            if (cls == lastClass) {
                runs.get(runs.size() - 1).appendCodePoint(cp);
            } else {
                runs.add(new StringBuilder().appendCodePoint(cp));
            }
            lastClass = cls;
            i += Character.charCount(cp);
        }
        for (int i = 0; i < runs.size() - 1; i++) {
            StringBuilder a = runs.get(i);
            StringBuilder b = runs.get(i + 1);
            if (a.length() > 0 && b.length() > 0 && Character.isUpperCase(a.codePointAt(0))
                    && Character.isLowerCase(b.codePointAt(0))) {
                int last = a.offsetByCodePoints(a.length(), -1);
                b.insert(0, a.substring(last));
                a.setLength(last);
            }
        }
        List<String> out = new ArrayList<>();
        runs.stream().filter(s -> s.length() > 0).forEach(s -> out.add(s.toString()));
        return out;
    }

    /**
     * Splits a git repository address into the web host and the repository path, as Flux's {@code parseGitAddress}:
     * {@code https://github.com/org/repo.git} → ({@code https://github.com}, {@code org/repo});
     * {@code ssh://git@host/org/repo} and {@code git@host:org/repo} use https.
     *
     * @throws IllegalArgumentException when the address cannot be parsed (the message shows at most its scheme and
     *     host)
     */
    static String[] gitAddress(String address) {
        if (isEmpty(address)) {
            throw new IllegalArgumentException("provider has no address");
        }
        String a = address.trim();
        String scheme;
        String host;
        String path;
        int schemeEnd = a.indexOf("://");
        if (schemeEnd < 0) {
            int colon = a.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("invalid git address " + address);
            }
            scheme = "https";
            host = a.substring(a.indexOf('@') + 1, colon);
            path = a.substring(colon + 1);
        } else {
            URI uri;
            try {
                uri = new URI(a);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("invalid git address " + SafeText.url(address) + ": "
                        + SafeText.reason(e));
            }
            scheme = "ssh".equals(uri.getScheme()) ? "https" : uri.getScheme();
            host = uri.getPort() > 0 ? uri.getHost() + ":" + uri.getPort() : uri.getHost();
            path = uri.getPath();
        }
        String id = path.replaceAll("^/+", "");
        if (id.endsWith(".git")) {
            id = id.substring(0, id.length() - 4);
        }
        if (host == null || host.isEmpty() || id.isEmpty()) {
            throw new IllegalArgumentException("invalid git address " + address);
        }
        return new String[] {scheme + "://" + host, id};
    }
}

package io.conflux.receiver.decide;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.model.source.Revision;
import io.conflux.service.JsonBounds;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a push webhook says happened, read from a GitHub {@code push} or GitLab {@code Push Hook} payload (both carry
 * {@code ref}, {@code before} and {@code after}, and the pushed repository's URLs).
 *
 * @param ref          the full ref pushed, e.g. {@code refs/heads/main} or {@code refs/tags/v1.0.0}
 * @param before       the commit the ref pointed to before (40 zeros for a new ref), or null
 * @param after        the commit the ref points to now (40 zeros when the ref was deleted), or null
 * @param repositories the pushed repository's URLs as the payload names them (GitHub {@code repository.clone_url},
 *                     {@code html_url}, {@code ssh_url}, {@code git_url}; GitLab {@code project.git_http_url},
 *                     {@code git_ssh_url}, {@code web_url}, {@code repository.*}), possibly empty
 */
public record GitPush(String ref, String before, String after, List<String> repositories) {
    private static final List<String> URL_FIELDS = List.of("clone_url", "html_url", "ssh_url", "git_url", "svn_url",
            "url", "git_http_url", "git_ssh_url", "web_url", "http_url", "homepage");
    private static final String HEADS = "refs/heads/";
    private static final String ZERO = "0".repeat(40);
    /** Webhook bodies are read within the services' JSON bounds (depth 1,000, ...) besides the body size limit. */
    private static final ObjectMapper JSON = JsonBounds.bounded(new ObjectMapper());

    /**
     * Parses a push payload.
     *
     * @param body the raw JSON body
     * @return the push; fields missing from the payload are null
     * @throws MalformedPayload when the body is not a JSON object
     */
    public static GitPush parse(byte[] body) {
        JsonNode root = json(body);
        List<String> urls = new ArrayList<>();
        for (String holder : List.of("repository", "project")) {
            JsonNode repo = root.get(holder);
            if (repo != null && repo.isObject()) {
                for (String field : URL_FIELDS) {
                    String url = text(repo, field);
                    if (url != null && !url.isBlank()) {
                        urls.add(url);
                    }
                }
            }
        }
        return new GitPush(text(root, "ref"), text(root, "before"), text(root, "after"), List.copyOf(urls));
    }

    /**
     * Checks that a body is a JSON object (any webhook event of GitHub or GitLab).
     *
     * @throws MalformedPayload otherwise
     */
    public static JsonNode json(byte[] body) {
        try {
            JsonNode root = body == null || body.length == 0 ? null : JSON.readTree(body);
            if (root == null || !root.isObject()) {
                throw new MalformedPayload("payload is not a JSON object");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new MalformedPayload("payload is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new MalformedPayload("payload cannot be read: " + e.getMessage());
        }
    }

    private static String text(JsonNode root, String field) {
        JsonNode n = root.get(field);
        return n == null || !n.isTextual() ? null : n.asText();
    }

    /** @return the branch pushed ({@code main} for {@code refs/heads/main}), or null for tags and other refs */
    public String branch() {
        return ref != null && ref.startsWith(HEADS) ? ref.substring(HEADS.length()) : null;
    }

    /**
     * Whether the push is to the repository at {@code url}: one of the payload's repository URLs names the same
     * host and path ({@link #normalize(String)}). A payload naming no repository concerns none.
     *
     * @param url a {@code GitRepository.spec.url} as written (before any insteadOf rewrite)
     */
    public boolean concerns(String url) {
        if (url == null || repositories == null) {
            return false;
        }
        String wanted = normalize(url);
        return repositories.stream().anyMatch(r -> normalize(r).equals(wanted));
    }

    /**
     * Reduces a Git URL to {@code host/path} for comparison: lower case, no scheme, user, port, trailing {@code /}
     * or {@code .git}; scp-like {@code git@host:org/repo.git} becomes {@code host/org/repo}.
     *
     * @param url e.g. {@code https://github.com/Acme/Infra.git}, {@code ssh://git@github.com:22/acme/infra},
     *            {@code git@github.com:acme/infra.git}
     * @return e.g. {@code github.com/acme/infra}
     */
    public static String normalize(String url) {
        String s = url.trim().toLowerCase(Locale.ROOT);
        boolean schemed = s.matches("^[a-z][a-z0-9+.-]*://.*");
        s = s.replaceFirst("^[a-z][a-z0-9+.-]*://", "");
        s = s.replaceFirst("^[^@/]*@", "");
        if (schemed) {
            s = s.replaceFirst("^([^/:]+):\\d+(/|$)", "$1$2");
        } else {
            s = s.replaceFirst("^([^/:]+):", "$1/");
        }
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.endsWith(".git")) {
            s = s.substring(0, s.length() - 4);
        }
        return s;
    }

    /** @return whether the push deleted the ref ({@code after} is 40 zeros) */
    public boolean deleted() {
        return ZERO.equals(after);
    }

    /** @return whether the push created the ref ({@code before} is 40 zeros or absent) */
    public boolean created() {
        return before == null || ZERO.equals(before);
    }

    /**
     * @return the Flux revision the branch now points at, {@code <branch>@sha1:<after>}, or null when this push is
     *         not a usable branch update (tag, deletion, missing or non-hex {@code after})
     */
    public Revision branchRevision() {
        String branch = branch();
        if (branch == null || after == null || deleted() || !after.matches("[0-9a-fA-F]{40}")) {
            return null;
        }
        return new Revision(branch, after.toLowerCase(Locale.ROOT));
    }

    /** The webhook body is not the JSON the event type requires (answered 400). */
    public static class MalformedPayload extends RuntimeException {
        /** @param message what is wrong */
        public MalformedPayload(String message) {
            super(message);
        }
    }
}

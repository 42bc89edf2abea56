package io.conflux.notifier.deliver;

import io.conflux.model.meta.FluxReasons;
import io.conflux.model.topic.FluxEvent;
import io.conflux.notifier.match.NotificationEvent;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Flux's {@code github} and {@code gitlab} commit-status notifiers ({@code internal/notifier/github.go},
 * {@code gitlab.go}, {@code util.go}). The address is the repository URL; the commit is the one of the event's
 * {@code revision} metadata ({@code main@sha1:<sha>}); the status is named {@code <kind>/<name>} in lower case
 * (one per object), described by the reason in words ({@code reconciliation succeeded}) and is
 * {@code success} for info events, {@code failure} (GitHub) / {@code failed} (GitLab) for errors.
 * <ul>
 *   <li>GitHub: {@code POST <api>/repos/{owner}/{repo}/statuses/{sha}} with {@code state}, {@code context},
 *       {@code description}; {@code <api>} is {@code https://api.github.com} for github.com, else
 *       {@code <host>/api/v3} (GitHub Enterprise); {@code Authorization: Bearer <token>}.</li>
 *   <li>GitLab: {@code POST <host>/api/v4/projects/{url-encoded path}/statuses/{sha}} with {@code state},
 *       {@code name}, {@code description}; {@code PRIVATE-TOKEN: <token>}.</li>
 * </ul>
 * Events without a revision and {@code Progressing} events are not sent. Both types need a token.
 */
public final class CommitStatusNotifier implements Notifier {
    private final boolean gitlab;

    /** @param gitlab GitLab instead of GitHub */
    public CommitStatusNotifier(boolean gitlab) {
        this.gitlab = gitlab;
    }

    @Override
    public Optional<OutgoingRequest> request(ProviderEndpoint endpoint, FluxEvent event) {
        String[] repo = Payloads.gitAddress(endpoint.address());
        if (Payloads.isEmpty(endpoint.token())) {
            throw new IllegalArgumentException((gitlab ? "GitLab" : "GitHub") + " token cannot be empty");
        }
        String revision = Payloads.metadata(event).get(NotificationEvent.REVISION_KEY);
        if (revision == null || FluxReasons.PROGRESSING.equals(event.reason())) {
            return Optional.empty();
        }
        String sha = Payloads.commitHash(revision);
        boolean error = FluxEvent.ERROR.equals(event.severity());
        Map<String, Object> body = new LinkedHashMap<>();
        Map<String, String> headers = new LinkedHashMap<>(endpoint.headers());
        headers.put("Accept", gitlab ? "application/json" : "application/vnd.github+json");
        URI uri;
        if (gitlab) {
            body.put("state", error ? "failed" : "success");
            body.put("name", Payloads.statusName(event));
            body.put("description", Payloads.statusDescription(event));
            headers.put("PRIVATE-TOKEN", endpoint.token());
            uri = URI.create(repo[0] + "/api/v4/projects/" + URLEncoder.encode(repo[1], StandardCharsets.UTF_8)
                    + "/statuses/" + sha);
        } else {
            String[] ownerRepo = repo[1].split("/");
            if (ownerRepo.length != 2) {
                throw new IllegalArgumentException("invalid GitHub repository address " + SafeText.url(endpoint.address())
                        + ": expected the path to be <owner>/<repository>");
            }
            body.put("state", error ? "failure" : "success");
            body.put("context", Payloads.statusName(event));
            body.put("description", Payloads.statusDescription(event));
            headers.put("Authorization", "Bearer " + endpoint.token());
            String api = repo[0].equals("https://github.com") ? "https://api.github.com" : repo[0] + "/api/v3";
            uri = URI.create(api + "/repos/" + ownerRepo[0] + "/" + ownerRepo[1] + "/statuses/" + sha);
        }
        return Optional.of(new OutgoingRequest("POST", uri, headers, Payloads.json(body)));
    }
}

package io.conflux.notifier.deliver;

import io.conflux.model.topic.FluxEvent;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Flux's {@code slack} notifier ({@code internal/notifier/slack.go}), also the body of {@code discord}: one
 * attachment, colour {@code good}/{@code danger} by severity, author {@code <kind lower-case>/<name>.<namespace>},
 * the message as {@code mrkdwn} text and one non-short field per metadata entry (sorted by key);
 * {@code username} defaults to the reporting controller; a token is sent as {@code Authorization: Bearer} (for
 * {@code chat.postMessage}).
 */
public final class SlackNotifier implements Notifier {
    private final String iconUrl;
    private final boolean discord;

    /**
     * @param iconUrl {@code icon_url} of the messages (Flux sends {@code ""})
     * @param discord build for Discord's Slack-compatible endpoint: the address gets a {@code /slack} suffix and no
     *                channel is sent (Flux's {@code discord.go})
     */
    public SlackNotifier(String iconUrl, boolean discord) {
        this.iconUrl = iconUrl;
        this.discord = discord;
    }

    @Override
    public Optional<OutgoingRequest> request(ProviderEndpoint endpoint, FluxEvent event) {
        URI uri = Payloads.address(endpoint);
        if (Payloads.isCommitStatusUpdate(event)) {
            return Optional.empty();
        }
        if (discord && !uri.getRawPath().endsWith("/slack")) {
            String path = uri.getRawPath().endsWith("/") ? uri.getRawPath() + "slack" : uri.getRawPath() + "/slack";
            uri = URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + path
                    + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("channel", discord ? "" : Payloads.nullToEmpty(endpoint.channel()));
        payload.put("username", Payloads.isEmpty(endpoint.username())
                ? Payloads.nullToEmpty(event.reportingController()) : endpoint.username());
        payload.put("icon_url", iconUrl);
        payload.put("icon_emoji", "");
        Map<String, Object> attachment = new LinkedHashMap<>();
        attachment.put("color", FluxEvent.ERROR.equals(event.severity()) ? "danger" : "good");
        attachment.put("author_name", Payloads.objectName(event));
        attachment.put("text", Payloads.nullToEmpty(event.message()));
        attachment.put("mrkdwn_in", List.of("text"));
        List<Map<String, Object>> fields = new ArrayList<>();
        new java.util.TreeMap<>(Payloads.metadata(event)).forEach((k, v) -> {
            Map<String, Object> field = new LinkedHashMap<>();
            field.put("title", k);
            field.put("value", v);
            field.put("short", false);
            fields.add(field);
        });
        attachment.put("fields", fields);
        payload.put("attachments", List.of(attachment));
        Map<String, String> headers = new LinkedHashMap<>(endpoint.headers());
        if (!discord && !Payloads.isEmpty(endpoint.token())) {
            headers.put("Authorization", "Bearer " + endpoint.token());
        }
        return Optional.of(new OutgoingRequest("POST", uri, headers, Payloads.json(payload)));
    }
}

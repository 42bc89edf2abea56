package io.conflux.notifier.deliver;

import io.conflux.model.topic.FluxEvent;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@link Notifier} of each supported {@code Provider.spec.type}, in the shapes of Flux's notification-controller
 * ({@code internal/notifier/*.go}).
 */
public final class Notifiers {
    /** {@code spec.type} values Conflux can send to. */
    public static final List<String> TYPES = List.of("slack", "discord", "msteams", "googlechat", "generic",
            "generic-hmac", "github", "gitlab", "alertmanager");

    private final Map<String, Notifier> byType;

    /**
     * @param slackIconUrl {@code icon_url} of Slack messages ({@code conflux.notifier.slack.icon-url})
     */
    public Notifiers(String slackIconUrl) {
        byType = Map.of(
                "slack", new SlackNotifier(slackIconUrl, false),
                "discord", new SlackNotifier(slackIconUrl, true),
                "msteams", new TeamsNotifier(),
                "googlechat", new GoogleChatNotifier(),
                "generic", new GenericNotifier(false),
                "generic-hmac", new GenericNotifier(true),
                "github", new CommitStatusNotifier(false),
                "gitlab", new CommitStatusNotifier(true),
                "alertmanager", new AlertmanagerNotifier());
    }

    /**
     * @param endpoint the resolved Provider
     * @param event    the event prepared for the Alert
     * @return the request, or empty when this provider type does not send this event (as Flux skips it)
     * @throws IllegalArgumentException when the type is unknown or the Provider unusable for it
     */
    public Optional<OutgoingRequest> request(ProviderEndpoint endpoint, FluxEvent event) {
        Notifier notifier = byType.get(endpoint.type() == null ? "" : endpoint.type());
        if (notifier == null) {
            throw new IllegalArgumentException("provider type '" + endpoint.type() + "' is not supported");
        }
        return notifier.request(endpoint, event);
    }
}

package io.conflux.notifier.match;

import io.conflux.model.topic.FluxEvent;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the labels of an event's involved object, for {@code eventSources[].matchLabels}. Flux's
 * notification-controller fetches the object's metadata from the API server
 * ({@code internal/server/event_handlers.go}, {@code eventMatchesAlertSource}); a lookup that cannot find the
 * object makes a source with {@code matchLabels} not match.
 */
@FunctionalInterface
public interface LabelLookup {

    /**
     * @param object the involved object of an event
     * @return its labels (empty map when it has none), or empty when it cannot be read
     */
    Optional<Map<String, String>> labels(FluxEvent.InvolvedObject object);
}

package io.conflux.notifier.deliver;

import io.conflux.model.topic.FluxEvent;
import java.util.Optional;

/** Builds the HTTP request one provider type is sent for an event, as the Flux notifier of that type does. */
@FunctionalInterface
public interface Notifier {

    /**
     * @param endpoint the resolved Provider
     * @param event    the event prepared for the Alert (metadata combined)
     * @return the request, or empty when this type does not send this event (Flux skips it)
     * @throws IllegalArgumentException when the Provider's address or credentials do not suit the type
     */
    Optional<OutgoingRequest> request(ProviderEndpoint endpoint, FluxEvent event);
}

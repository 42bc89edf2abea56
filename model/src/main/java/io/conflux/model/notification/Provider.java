package io.conflux.model.notification;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/** Flux's {@code Provider} ({@code notification.toolkit.fluxcd.io/v1beta3}): where and how alerts are sent. */
@Group(Receiver.GROUP)
@Version("v1beta3")
@Kind("Provider")
@Plural("providers")
public class Provider extends CustomResource<ProviderSpec, ReceiverStatus> implements Namespaced {
}

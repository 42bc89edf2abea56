package io.conflux.model.notification;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/** Flux's {@code Receiver} ({@code notification.toolkit.fluxcd.io/v1}): a webhook endpoint that triggers sources. */
@Group(Receiver.GROUP)
@Version("v1")
@Kind("Receiver")
@Plural("receivers")
public class Receiver extends CustomResource<ReceiverSpec, ReceiverStatus> implements Namespaced {
    public static final String GROUP = "notification.toolkit.fluxcd.io";
}

package io.conflux.model.notification;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/** Flux's {@code Alert} ({@code notification.toolkit.fluxcd.io/v1beta3}): which events go to which Provider. */
@Group(Receiver.GROUP)
@Version("v1beta3")
@Kind("Alert")
@Plural("alerts")
public class Alert extends CustomResource<AlertSpec, ReceiverStatus> implements Namespaced {
}

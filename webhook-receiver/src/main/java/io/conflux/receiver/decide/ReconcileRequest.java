package io.conflux.receiver.decide;

import java.util.Map;

/**
 * One entry of a Receiver's {@code spec.resources} of a kind other than {@code GitRepository}, resolved as Flux's
 * notification-controller resolves it before annotating: the namespace defaulted to the Receiver's, the
 * {@code apiVersion} defaulted for the kinds Flux knows ({@link ResourceSelection#defaultApiVersion}). Every object
 * it names gets {@code reconcile.fluxcd.io/requestedAt} ({@code produce.ReconcileRequester}).
 *
 * @param apiVersion  {@code group/version} to address the kind with, or null when the selector has none and the kind
 *                    has no default (Flux then refuses: "apiVersion must be specified for kind")
 * @param kind        the kind, e.g. {@code Kustomization}
 * @param namespace   the namespace to look in
 * @param name        the object's name, or {@code *} for every object of the kind in the namespace with the labels
 * @param matchLabels with {@code name: "*"}, labels the objects must all carry; null or empty: any object
 */
public record ReconcileRequest(String apiVersion, String kind, String namespace, String name,
                               Map<String, String> matchLabels) {

    /** @return whether this names every object with {@link #matchLabels()} rather than one by name */
    public boolean wildcard() {
        return "*".equals(name);
    }

    /** @return {@code Kind/namespace/name} ({@code name} may be {@code *}), as logged and answered */
    public String describe() {
        return kind + "/" + namespace + "/" + name;
    }
}

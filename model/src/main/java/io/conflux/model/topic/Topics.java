package io.conflux.model.topic;

/** Names of Conflux's Kafka topics (DESIGN.md, "Topics"). Keys are {@link io.conflux.model.meta.ObjectKey}s. */
public final class Topics {
    private Topics() {
    }

    /** Key {@code GitRepository/<ns>/<name>}, value {@link SourceRevision}. */
    public static final String SOURCE_REVISIONS = "conflux.source-revisions";
    /** Key {@code Kustomization/<ns>/<name>} or {@code HelmRelease/<ns>/<name>}, value {@link RenderResult}. */
    public static final String RENDER_RESULTS = "conflux.render-results";
    /**
     * Key the object to reconcile (e.g. {@code GitRepository/<ns>/<name>}), value {@link SourceReconcileRequest}: a
     * webhook or {@code flux reconcile} asked for a reconcile, handled by the receiver replica that owns the key's
     * partition.
     */
    public static final String RECONCILE_REQUESTS = "conflux.reconcile-requests";
    /** Key the involved object, value {@link FluxEvent}. */
    public static final String EVENTS = "conflux.events";
}

package io.conflux.renderer.render;

/**
 * What one render of an object is a function of: the idempotency key of {@code render_record} and what the published
 * {@code RenderResult} names. A render is skipped when a deterministic outcome of the same input is recorded, or when a
 * higher {@link #sourceSequence} is recorded for the same generation (monotonic revisions).
 *
 * @param objectKey         {@code Kind/namespace/name}
 * @param generation        the object's {@code metadata.generation}
 * @param revision          the source revision (a Git revision, a chart version), empty when there is none
 * @param sourceSequence    the sequence number of the GitRepository artifact rendered ({@code source_artifact.sequence}),
 *                          null when no GitRepository artifact was read (a chart from a HelmRepository, an early failure)
 * @param requestedAt       the {@code reconcile.fluxcd.io/requestedAt} annotation, empty when absent
 * @param includedRevisions the revisions of the source's included GitRepositories ({@code name=revision,…}), or empty
 * @param inputDigest       {@code sha256:<hex>} of inputs outside generation and revision (cluster data, Helm values),
 *                          or empty
 */
public record RenderInput(String objectKey, long generation, String revision, Long sourceSequence, String requestedAt,
                          String includedRevisions, String inputDigest) {
}

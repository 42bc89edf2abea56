package io.conflux.model.topic;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.conflux.model.meta.ObjectKey;

/**
 * Value of {@code conflux.render-results}: what a Kustomization (or HelmRelease) should make exist, or why it
 * could not be rendered. Exactly one of {@code bundleDigest} and {@code error} is set.
 *
 * @param object         e.g. {@code Kustomization/default/base-infra}
 * @param generation     the object's {@code metadata.generation} that was rendered
 * @param sourceRevision the source revision rendered, e.g. {@code main@sha1:...}; null if none was available
 * @param bundleDigest   {@code sha256:<hex>} of the bundle stored in PostgreSQL (table {@code bundle})
 * @param objectCount    number of objects in the bundle
 * @param reason         Flux reason for a failure ({@code BuildFailed}, {@code ArtifactFailed}, ...), null on success
 * @param error          the failure message, naming the file and line where there is one
 * @param renderedAt     RFC 3339 time
 * @param sourceSequence the renderer's sequence number of the source artifact rendered: for one source it grows with
 *                       every new revision the renderer fetches (table {@code source_artifact}), so that the applier
 *                       never applies, for one generation, a revision older than one it applied; null when the
 *                       source has no such order (a chart from a HelmRepository, a failure before any source)
 * @param webhookReceivedAt RFC 3339 time the webhook announcing {@code sourceRevision} was received, when the
 *                       renderer saw the revision arrive through one ({@code SourceRevision.webhookReceivedAt}); null
 *                       otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record RenderResult(String object, Long generation, String sourceRevision, String bundleDigest,
                           Integer objectCount, String reason, String error, String renderedAt,
                           Long sourceSequence, String webhookReceivedAt) {

    /** A result without a webhook receive time. */
    public RenderResult(String object, Long generation, String sourceRevision, String bundleDigest,
                        Integer objectCount, String reason, String error, String renderedAt, Long sourceSequence) {
        this(object, generation, sourceRevision, bundleDigest, objectCount, reason, error, renderedAt, sourceSequence,
                null);
    }

    /** @return {@link #object} parsed */
    public ObjectKey objectKey() {
        return ObjectKey.parse(object);
    }

    /** @return whether this result is a failure */
    public boolean failed() {
        return error != null;
    }
}

package io.conflux.model.topic;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.GitRepositoryRef;

/**
 * Value of {@code conflux.source-revisions}: a source now points at a new revision.
 *
 * @param source     the GitRepository, e.g. {@code GitRepository/default/ecs-infra}
 * @param generation the source's {@code metadata.generation} the revision was resolved for
 * @param url        the repository URL as written in the spec (before any insteadOf rewrite)
 * @param ref        the spec's ref
 * @param revision   Flux's revision format, e.g. {@code main@sha1:<40 hex>}
 * @param trigger    webhook, poll or manual
 * @param deliveryId the webhook delivery id (e.g. {@code X-GitHub-Delivery}), null for polls
 * @param observedAt RFC 3339 time the revision was seen
 * @param webhookReceivedAt RFC 3339 time the webhook that led to this revision was received (the
 *                   {@code SourceReconcileRequest.requestedAt} of a {@code webhook} request), null otherwise; the
 *                   start of {@code conflux_webhook_to_applied_seconds}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record SourceRevision(String source, Long generation, String url, GitRepositoryRef ref, String revision,
                             Trigger trigger, String deliveryId, String observedAt, String webhookReceivedAt) {

    /** A revision not led to by a webhook ({@code webhookReceivedAt} null). */
    public SourceRevision(String source, Long generation, String url, GitRepositoryRef ref, String revision,
                          Trigger trigger, String deliveryId, String observedAt) {
        this(source, generation, url, ref, revision, trigger, deliveryId, observedAt, null);
    }

    /** @return {@link #source} parsed */
    public ObjectKey sourceKey() {
        return ObjectKey.parse(source);
    }
}

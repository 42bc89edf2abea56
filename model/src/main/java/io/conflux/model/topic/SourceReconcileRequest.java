package io.conflux.model.topic;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.conflux.model.meta.ObjectKey;

/**
 * Value of {@code conflux.reconcile-requests}: somebody asked that a source be reconciled now (a verified webhook, a
 * {@code reconcile.fluxcd.io/requestedAt} annotation). It names no commit: the owner of the key resolves the source's
 * ref itself, so what is deployed is always what the ref resolves to.
 *
 * @param object      the object, e.g. {@code GitRepository/default/ecs-infra}
 * @param trigger     webhook, poll or manual
 * @param deliveryId  the webhook delivery id (e.g. {@code X-GitHub-Delivery}), null otherwise
 * @param requestedAt RFC 3339 time of the request
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record SourceReconcileRequest(String object, Trigger trigger, String deliveryId, String requestedAt) {

    /** @return {@link #object} parsed */
    public ObjectKey objectKey() {
        return ObjectKey.parse(object);
    }
}

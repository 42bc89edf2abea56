package io.conflux.model.source;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.conflux.model.meta.Condition;
import java.util.List;

/**
 * {@code Bucket.status} as source-controller writes it.
 *
 * @param observedGeneration     the generation last reconciled
 * @param conditions             {@code Ready}, {@code FetchFailed}, …
 * @param artifact               the last stored artifact ({@code revision} {@code sha256:<index digest>},
 *                               {@code digest} of the stored tarball)
 * @param url                    where the bucket is read ({@code http(s)://<endpoint>/<bucketName>})
 * @param observedIgnore         {@code spec.ignore} the artifact was built with
 * @param lastHandledReconcileAt the {@code reconcile.fluxcd.io/requestedAt} value last handled
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record BucketStatus(Long observedGeneration, List<Condition> conditions, Artifact artifact, String url,
                           String observedIgnore, String lastHandledReconcileAt) {
}

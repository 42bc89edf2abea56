package io.conflux.model.source;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.conflux.model.meta.LocalObjectReference;
import java.util.Map;

/**
 * {@code Bucket.spec}, Flux {@code source.toolkit.fluxcd.io/v1} ({@code buckets.md}). Conflux acts on provider
 * {@code generic} (any S3-compatible server) and {@code aws} with static keys; the receiver turns a Bucket
 * naming {@code gcp}, {@code azure}, {@code sts}, {@code serviceAccountName} or {@code proxySecretRef} {@code Ready=False}
 * naming the field.
 *
 * @param provider           {@code generic} (default), {@code aws}, {@code gcp}, {@code azure}
 * @param bucketName         the bucket, required
 * @param endpoint           host[:port] of the S3 API, required (no scheme)
 * @param sts                security token service settings (not supported by Conflux)
 * @param insecure           plain HTTP to the endpoint
 * @param region             the bucket's region (optional; {@code us-east-1} is sent when absent)
 * @param prefix             only objects whose key starts with it
 * @param secretRef          Secret with {@code accesskey} and {@code secretkey}
 * @param certSecretRef      Secret with {@code ca.crt} (and {@code tls.crt}/{@code tls.key})
 * @param proxySecretRef     Secret with the proxy {@code address} (not supported by Conflux)
 * @param serviceAccountName service account for workload identity (not supported by Conflux)
 * @param interval           poll interval, Go duration, required by Flux
 * @param timeout            bound of bucket operations, Go duration (Flux default {@code 60s})
 * @param ignore             extra {@code .sourceignore} patterns for object keys
 * @param suspend            true stops polling
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record BucketSpec(String provider, String bucketName, String endpoint, Map<String, Object> sts,
                         Boolean insecure, String region, String prefix, LocalObjectReference secretRef,
                         LocalObjectReference certSecretRef, LocalObjectReference proxySecretRef,
                         String serviceAccountName, String interval, String timeout, String ignore, Boolean suspend) {

    /** @return whether polling is suspended */
    public boolean suspended() {
        return Boolean.TRUE.equals(suspend);
    }

    /** @return whether the endpoint is reached over plain HTTP */
    public boolean plainHttp() {
        return Boolean.TRUE.equals(insecure);
    }

    /** @return {@code provider}, {@code generic} when absent */
    public String providerOrDefault() {
        return provider == null || provider.isBlank() ? "generic" : provider;
    }
}

package io.conflux.model.source;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.conflux.model.meta.LocalObjectReference;

/**
 * {@code HelmRepository.spec}.
 *
 * @param url       {@code https://...} index URL or {@code oci://...} registry URL
 * @param type      {@code default} (HTTP index) or {@code oci}
 * @param interval  Go duration
 * @param secretRef credentials
 * @param suspend   true stops reconciliation
 * @param timeout   Go duration bounding index and chart downloads (Flux default {@code 60s})
 * @param certSecretRef   Secret with {@code ca.crt} (trusted CA, PEM) and/or {@code tls.crt}+{@code tls.key} (client
 *                        certificate, PEM) for the repository's TLS
 * @param insecure        {@code type: oci} only: talk plain HTTP to the registry
 * @param passCredentials send the {@code secretRef} credentials also to chart URLs on another host than the index's
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record HelmRepositorySpec(String url, String type, String interval, LocalObjectReference secretRef, Boolean suspend,
                                 String timeout, LocalObjectReference certSecretRef, Boolean insecure,
                                 Boolean passCredentials) {

    /** A repository with the JVM's TLS trust, HTTPS only, credentials kept to the index's host. */
    public HelmRepositorySpec(String url, String type, String interval, LocalObjectReference secretRef, Boolean suspend,
                              String timeout) {
        this(url, type, interval, secretRef, suspend, timeout, null, null, null);
    }
}

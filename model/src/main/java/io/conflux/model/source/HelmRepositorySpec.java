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
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record HelmRepositorySpec(String url, String type, String interval, LocalObjectReference secretRef, Boolean suspend,
                                 String timeout) {
}

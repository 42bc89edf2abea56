package io.conflux.model.source;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.conflux.model.meta.LocalObjectReference;

/**
 * {@code OCIRepository.spec}, Flux {@code source.toolkit.fluxcd.io/v1} ({@code ocirepositories.md}). Unknown
 * properties are tolerated when decoding; the fields Conflux does not act on are checked by the receiver
 * ({@code verify}, {@code serviceAccountName}, {@code proxySecretRef}, a {@code provider} other than {@code generic}),
 * which turns the object {@code Ready=False} naming the field rather than ignoring it.
 *
 * @param url                {@code oci://<host>[:port]/<repository>}, required
 * @param ref                tag, semver range (with {@code semverFilter}) or digest; null means tag {@code latest}
 * @param layerSelector      which layer is the artifact and whether it is extracted or copied; null means the first
 *                           layer, extracted
 * @param provider           {@code generic} (default), {@code aws}, {@code azure}, {@code gcp}: only generic is
 *                           supported by Conflux
 * @param secretRef          Secret of type {@code kubernetes.io/dockerconfigjson} ({@code .dockerconfigjson}) or with
 *                           {@code username}/{@code password}
 * @param serviceAccountName service account whose image pull secrets are used (not supported by Conflux)
 * @param certSecretRef      Secret with {@code ca.crt} and optionally {@code tls.crt}/{@code tls.key}
 * @param proxySecretRef     Secret with the proxy {@code address} (not supported by Conflux)
 * @param verify             cosign/notation verification (not supported by Conflux)
 * @param insecure           plain HTTP to the registry
 * @param interval           poll interval, Go duration, required by Flux
 * @param timeout            bound of registry operations, Go duration (Flux default {@code 60s})
 * @param ignore             extra {@code .sourceignore} patterns applied to the extracted layer
 * @param suspend            true stops polling
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record OCIRepositorySpec(String url, OCIRepositoryRef ref, OCILayerSelector layerSelector, String provider,
                                LocalObjectReference secretRef, String serviceAccountName,
                                LocalObjectReference certSecretRef, LocalObjectReference proxySecretRef,
                                OCIRepositoryVerification verify, Boolean insecure, String interval, String timeout,
                                String ignore, Boolean suspend) {

    /** @return whether polling is suspended */
    public boolean suspended() {
        return Boolean.TRUE.equals(suspend);
    }

    /** @return whether the registry is reached over plain HTTP */
    public boolean plainHttp() {
        return Boolean.TRUE.equals(insecure);
    }

    /** @return {@code ref}, or Flux's default (tag {@code latest}) when absent */
    public OCIRepositoryRef refOrDefault() {
        return ref == null ? OCIRepositoryRef.DEFAULT : ref;
    }

    /** @return {@code layerSelector}, or Flux's default (first layer, extract) when absent */
    public OCILayerSelector layerSelectorOrDefault() {
        return layerSelector == null ? OCILayerSelector.DEFAULT : layerSelector;
    }
}

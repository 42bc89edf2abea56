package io.conflux.model.source;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.conflux.model.meta.LocalObjectReference;
import java.util.List;
import java.util.Map;

/**
 * {@code OCIRepository.spec.verify} (Flux's {@code OCIRepositoryVerification}): signature verification with cosign
 * or notation. Conflux does not verify signatures: an OCIRepository with {@code verify} is {@code Ready=False}
 * reason {@code NotSupported} naming {@code spec.verify}.
 *
 * @param provider       {@code cosign} or {@code notation}
 * @param secretRef      Secret with the public keys or trust policy
 * @param matchOIDCIdentity keyless cosign identities ({@code issuer}, {@code subject} regular expressions)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record OCIRepositoryVerification(String provider, LocalObjectReference secretRef,
                                        List<Map<String, String>> matchOIDCIdentity) {
}

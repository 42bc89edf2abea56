package io.conflux.model.notification;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.conflux.model.meta.LocalObjectReference;

/**
 * {@code Provider.spec}.
 *
 * @param type          {@code slack}, {@code discord}, {@code msteams}, {@code generic}, {@code generic-hmac}, {@code github}, ...
 * @param address       webhook URL; a {@code secretRef}'s {@code address} key wins
 * @param secretRef     Secret with {@code address}, {@code token}, {@code username}, {@code proxy}, {@code headers}
 * @param timeout       Go duration for one HTTP call
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ProviderSpec(String type, String channel, String username, String address, String timeout,
                           String proxy, LocalObjectReference secretRef, LocalObjectReference certSecretRef,
                           Boolean suspend) {
}

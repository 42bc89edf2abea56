package io.conflux.notifier.dispatch;

import io.conflux.model.meta.GoDuration;
import io.conflux.model.notification.Alert;
import io.conflux.model.notification.AlertSpec;
import io.conflux.model.notification.Provider;
import io.conflux.model.notification.ProviderSpec;
import io.conflux.notifier.deliver.Notifiers;
import io.conflux.notifier.deliver.ProviderEndpoint;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks that an {@code Alert} or {@code Provider} can be used (else it is reported {@code InvalidConfig}): what Flux's
 * CRD validation and controllers reject (unknown provider type, no provider reference, no event sources, bad
 * regular expression, bad timeout).
 */
public final class ObjectValidation {
    private ObjectValidation() {
    }

    /** @return why the Provider cannot be used, or empty when it can */
    public static Optional<String> validate(Provider provider) {
        ProviderSpec spec = provider.getSpec();
        if (spec == null || spec.type() == null || spec.type().isEmpty()) {
            return Optional.of("spec.type is required");
        }
        if (!Notifiers.TYPES.contains(spec.type())) {
            return Optional.of("provider type '" + spec.type() + "' is not supported; supported: " + Notifiers.TYPES);
        }
        if (spec.timeout() != null) {
            try {
                GoDuration.parse(spec.timeout());
            } catch (IllegalArgumentException e) {
                return Optional.of("invalid spec.timeout: " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    /**
     * @param endpoint the Provider resolved with its Secrets ({@link ProviderResolver})
     * @return why its address cannot be posted to — not an absolute {@code http}/{@code https} URL — or empty when it
     *         can or none is set (the message names the field, not the address, which may come from a Secret)
     */
    public static Optional<String> validate(ProviderEndpoint endpoint) {
        String address = endpoint.address();
        if (address == null || address.isBlank()) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(address);
            if (uri.getScheme() == null || !List.of("http", "https").contains(uri.getScheme().toLowerCase(java.util.Locale.ROOT))
                    || uri.getHost() == null) {
                return Optional.of("invalid address (spec.address or the Secret's 'address' key): not an absolute http or https URL");
            }
        } catch (URISyntaxException e) {
            return Optional.of("invalid address (spec.address or the Secret's 'address' key): not a URL");
        }
        return Optional.empty();
    }

    /** @return why the Alert cannot be used, or empty when it can */
    public static Optional<String> validate(Alert alert) {
        AlertSpec spec = alert.getSpec();
        if (spec == null || spec.providerRef() == null || spec.providerRef().name() == null) {
            return Optional.of("spec.providerRef.name is required");
        }
        if (spec.eventSources() == null || spec.eventSources().isEmpty()) {
            return Optional.of("spec.eventSources is required");
        }
        if (spec.eventSeverity() != null && !List.of("info", "error").contains(spec.eventSeverity())) {
            return Optional.of("spec.eventSeverity must be info or error");
        }
        List<String> expressions = new ArrayList<>();
        if (spec.inclusionList() != null) {
            expressions.addAll(spec.inclusionList());
        }
        if (spec.exclusionList() != null) {
            expressions.addAll(spec.exclusionList());
        }
        for (String expression : expressions) {
            try {
                Pattern.compile(expression);
            } catch (PatternSyntaxException e) {
                return Optional.of("failed to compile regex " + expression + ": " + e.getDescription());
            }
        }
        return Optional.empty();
    }
}

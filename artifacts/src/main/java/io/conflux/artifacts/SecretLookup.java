package io.conflux.artifacts;

import java.util.Map;
import java.util.Optional;

/** Reads a Secret of the source's namespace by name: its data, decoded; empty when it does not exist. Blocking. */
@FunctionalInterface
public interface SecretLookup {
    /**
     * @param name the Secret's name
     * @return its data; empty when absent
     */
    Optional<Map<String, byte[]>> secret(String name);

    /**
     * @param name  the Secret's name
     * @param field the spec field naming it, for the message
     * @return its data
     * @throws ArtifactException {@code AuthenticationFailed} naming the Secret and field when it does not exist
     */
    default Map<String, byte[]> require(String name, String field) {
        return secret(name).orElseThrow(() -> new ArtifactException(ArtifactException.AUTHENTICATION_FAILED,
                "failed to get secret '" + name + "' (" + field + "): not found"));
    }
}

package io.conflux.renderer.persist;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import java.util.List;
import java.util.Optional;

/** How rendered bundles are kept ({@code conflux.bundles.*}), documented in {@code application.properties}. */
@ConfigMapping(prefix = "conflux.bundles")
public interface BundleConfig {

    /**
     * {@code conflux.bundles.encryption-keys}: AES-256 keys {@code <id>:<base64 of 32 bytes>}, newest first (shared
     * with the applier, which reads the bundles); empty for none, and then a bundle holding a Secret is not stored.
     */
    @WithName("encryption-keys")
    Optional<List<String>> encryptionKeys();

    /**
     * {@code conflux.bundles.kept-per-object}: how many of an object's latest distinct bundles are kept (at least 1);
     * older ones are deleted unless something still references them.
     */
    @WithName("kept-per-object")
    int keptPerObject();
}

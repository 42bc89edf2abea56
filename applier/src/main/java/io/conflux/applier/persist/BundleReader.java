package io.conflux.applier.persist;

import io.conflux.service.BundleCipher;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Reads rendered bundles from the renderer's {@code bundle} table (owned and created by the renderer; only read
 * here, through a native query, so the applier manages no part of its schema). Bundles the renderer sealed are opened
 * with {@code conflux.bundles.encryption-keys} ({@link BundleCipher}; the same list as the renderer's).
 */
@ApplicationScoped
public class BundleReader {

    @ConfigProperty(name = "conflux.bundles.encryption-keys")
    Optional<List<String>> encryptionKeys;

    private BundleCipher cipher;

    @PostConstruct
    void init() {
        cipher = BundleCipher.of(encryptionKeys.orElse(List.of()));
    }

    /**
     * @param digest {@code sha256:<hex>}
     * @return the bundle's JSON array, or a failure ({@link IllegalStateException}) when no bundle has that digest or
     *         it is sealed with a key that is not configured
     */
    public Uni<String> content(String digest) {
        return Panache.getSession().chain(session -> session
                .createNativeQuery("select content from bundle where digest = :digest", String.class)
                .setParameter("digest", digest)
                .getSingleResultOrNull())
                .onItem().ifNull().failWith(() -> new IllegalStateException("bundle " + digest + " not found"))
                .map(stored -> cipher.open(digest, stored));
    }
}

package io.conflux.applier.persist;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Reads rendered bundles from the renderer's {@code bundle} table (owned and created by the renderer; only read
 * here, through a native query, so the applier manages no part of its schema).
 */
@ApplicationScoped
public class BundleReader {

    /**
     * @param digest {@code sha256:<hex>}
     * @return the bundle's JSON array, or a failure when no bundle has that digest
     */
    public Uni<String> content(String digest) {
        return Panache.getSession().chain(session -> session
                .createNativeQuery("select content from bundle where digest = :digest", String.class)
                .setParameter("digest", digest)
                .getSingleResultOrNull())
                .onItem().ifNull().failWith(() -> new IllegalStateException("bundle " + digest + " not found"));
    }
}

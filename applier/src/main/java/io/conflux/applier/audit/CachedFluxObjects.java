package io.conflux.applier.audit;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.Optional;

/**
 * The applier's informer caches of Flux objects, as the stall audit reads them instead of listing every object on the
 * API server each round. Implemented by the consume side's watcher; declared here so that the audit does not depend on
 * the consume package (packages follow consume → decide → persist → produce, docs/service-conventions.md).
 */
public interface CachedFluxObjects {

    /**
     * @param kind a Flux kind ({@code Kustomization}, {@code HelmRelease}, ...)
     * @return a snapshot of the cached objects of that kind (as the informer last saw them, so possibly a little behind
     *         the API server); empty when the kind is not cached or its informer has not synced its first list yet
     */
    Optional<List<? extends HasMetadata>> cached(String kind);
}

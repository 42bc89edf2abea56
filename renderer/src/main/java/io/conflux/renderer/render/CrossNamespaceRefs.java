package io.conflux.renderer.render;

import io.conflux.model.helm.HelmRelease;
import io.conflux.model.kustomize.Kustomization;
import java.util.Map;
import java.util.Optional;

/**
 * The operator's choice to block cross-namespace source references, Flux's multi-tenancy lockdown
 * ({@code --no-cross-namespace-refs} of kustomize-controller and helm-controller), as
 * {@code conflux.renderer.no-cross-namespace-refs}. When blocked, a Kustomization whose {@code spec.sourceRef}, or a
 * HelmRelease whose {@code spec.chart.spec.sourceRef}, names a source in another namespace is not rendered: it fails
 * with reason {@code AccessDenied} and Flux's message {@code can't access '<Kind>/<namespace>/<name>', cross-namespace
 * references have been blocked}, so a tenant cannot render (and so read, through its status and inventory) another
 * tenant's source. Allowed by default, as in Flux.
 *
 * @param blocked whether cross-namespace source references are refused
 */
public record CrossNamespaceRefs(boolean blocked) {
    /** Flux's condition reason for a refused reference ({@code apiacl.AccessDeniedReason}). */
    public static final String ACCESS_DENIED = "AccessDenied";

    /**
     * @param k a Kustomization
     * @return why its {@code spec.sourceRef} may not be followed, or empty when it may
     */
    public Optional<String> refused(Kustomization k) {
        var ref = k.getSpec() == null ? null : k.getSpec().sourceRef();
        if (ref == null) {
            return Optional.empty();
        }
        return refused(k.getMetadata().getNamespace(), ref.kind(), ref.namespace(), ref.name());
    }

    /**
     * @param hr a HelmRelease
     * @return why its {@code spec.chart.spec.sourceRef} may not be followed, or empty when it may
     */
    public Optional<String> refused(HelmRelease hr) {
        Map<String, Object> chart = hr.getSpec() == null ? null : hr.getSpec().chart();
        if (chart == null || !(chart.get("spec") instanceof Map<?, ?> spec) || !(spec.get("sourceRef") instanceof Map<?, ?> ref)) {
            return Optional.empty();
        }
        return refused(hr.getMetadata().getNamespace(), text(ref.get("kind")), text(ref.get("namespace")),
                text(ref.get("name")));
    }

    /**
     * @param generator an ArtifactGenerator
     * @param source    one of its {@code spec.sources}
     * @return why the source may not be read, or empty when it may (source-watcher's {@code --no-cross-namespace-refs})
     */
    public Optional<String> refused(io.conflux.model.source.ArtifactGenerator generator,
                                    io.conflux.model.source.ArtifactGeneratorSpec.Source source) {
        return refused(generator.getMetadata().getNamespace(), source.kind(), source.namespace(), source.name());
    }

    private Optional<String> refused(String namespace, String kind, String refNamespace, String name) {
        if (!blocked || refNamespace == null || refNamespace.isEmpty() || refNamespace.equals(namespace)) {
            return Optional.empty();
        }
        return Optional.of("can't access '" + kind + "/" + refNamespace + "/" + name
                + "', cross-namespace references have been blocked");
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }
}

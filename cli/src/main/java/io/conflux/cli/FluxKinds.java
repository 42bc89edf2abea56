package io.conflux.cli;

import io.conflux.model.helm.HelmRelease;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.source.GitRepository;
import io.fabric8.kubernetes.client.CustomResource;
import java.util.Map;

/** The kind names the commands accept, as the {@code flux} CLI spells them, and their API types. */
final class FluxKinds {
    private FluxKinds() {
    }

    private static final Map<String, Class<? extends CustomResource<?, ?>>> TYPES = Map.of(
            "kustomization", Kustomization.class, "ks", Kustomization.class,
            "helmrelease", HelmRelease.class, "hr", HelmRelease.class,
            "source", GitRepository.class, "gitrepository", GitRepository.class);

    /**
     * @param kind e.g. {@code kustomization}, {@code ks}, {@code helmrelease}, {@code source}
     * @throws IllegalArgumentException for an unknown kind
     */
    static Class<? extends CustomResource<?, ?>> type(String kind) {
        Class<? extends CustomResource<?, ?>> type = TYPES.get(kind.toLowerCase(java.util.Locale.ROOT));
        if (type == null) {
            throw new IllegalArgumentException("unknown kind " + kind + "; use kustomization, helmrelease or source");
        }
        return type;
    }
}

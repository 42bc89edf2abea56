package io.conflux.cli;

import java.util.Locale;
import java.util.Map;

/**
 * The kind names {@code tree} and {@code history} accept as their {@code KIND} argument, as the {@code flux} CLI
 * spells them, and the {@link FluxObjectKind} each names ({@code reconcile}, {@code suspend} and {@code resume} take
 * the same names as subcommands, {@link ObjectCommands}).
 */
final class FluxKinds {
    private FluxKinds() {
    }

    private static final Map<String, FluxObjectKind> KINDS = Map.of(
            "kustomization", FluxObjectKind.KUSTOMIZATION, "ks", FluxObjectKind.KUSTOMIZATION,
            "helmrelease", FluxObjectKind.HELM_RELEASE, "hr", FluxObjectKind.HELM_RELEASE,
            "source", FluxObjectKind.GIT_REPOSITORY, "gitrepository", FluxObjectKind.GIT_REPOSITORY);

    /**
     * @param kind e.g. {@code kustomization}, {@code ks}, {@code helmrelease}, {@code source}
     * @throws IllegalArgumentException for an unknown kind
     */
    static FluxObjectKind of(String kind) {
        FluxObjectKind found = KINDS.get(kind.toLowerCase(Locale.ROOT));
        if (found == null) {
            throw new IllegalArgumentException("unknown kind " + kind + "; use kustomization, helmrelease or source");
        }
        return found;
    }
}

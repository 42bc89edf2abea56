package io.conflux.receiver.decide;

import io.conflux.model.helm.HelmRelease;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.notification.ReceiverSpec.ResourceSelector;
import io.conflux.model.source.GitRepository;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which objects a Receiver's {@code spec.resources} name, as Flux's notification-controller resolves them: an entry
 * names one object by {@code name}, or with {@code name: "*"} every object of the kind in the namespace whose labels
 * include all of {@code matchLabels}; {@code namespace} defaults to the Receiver's. GitRepositories
 * ({@link #select}) are resolved at once by this service (ls-remote, publish); every other kind
 * ({@link #requests}) is asked to reconcile the way Flux asks, with the {@code reconcile.fluxcd.io/requestedAt}
 * annotation, which the renderer and applier act on.
 */
public final class ResourceSelection {
    /**
     * Flux's {@code defaultFluxAPIVersions} (the apiVersion a Receiver entry without one addresses), plus the kinds
     * Conflux serves that Flux requires an apiVersion for: their storage versions.
     */
    private static final Map<String, String> DEFAULT_API_VERSIONS = Map.of(
            "Bucket", "source.toolkit.fluxcd.io/v1",
            "HelmChart", "source.toolkit.fluxcd.io/v1",
            "HelmRepository", "source.toolkit.fluxcd.io/v1",
            GitRepository.KIND, GitRepository.GROUP + "/" + GitRepository.VERSION,
            "OCIRepository", "source.toolkit.fluxcd.io/v1beta2",
            "ImageRepository", "image.toolkit.fluxcd.io/v1beta2",
            Kustomization.KIND, Kustomization.GROUP + "/" + Kustomization.VERSION,
            HelmRelease.KIND, HelmRelease.GROUP + "/v2");

    private ResourceSelection() {
    }

    /**
     * @return the apiVersion a {@code spec.resources} entry of that kind without one addresses, as Flux defaults it
     *         (Conflux also defaults {@code Kustomization} and {@code HelmRelease}); null when the kind has none
     */
    public static String defaultApiVersion(String kind) {
        return kind == null ? null : DEFAULT_API_VERSIONS.get(kind);
    }

    /**
     * The entries of {@code spec.resources} of kinds other than {@code GitRepository}, resolved for annotation as
     * Flux's {@code requestReconciliation} does: namespace defaulted to the Receiver's, apiVersion to
     * {@link #defaultApiVersion}. Which objects a {@code *} entry names is only known by listing them, so it stays
     * one request.
     *
     * @param receiverNamespace the Receiver's namespace
     * @param resources         its {@code spec.resources} (null: none)
     * @return one request per entry, in order, without duplicates
     */
    public static List<ReconcileRequest> requests(String receiverNamespace, List<ResourceSelector> resources) {
        Set<ReconcileRequest> out = new LinkedHashSet<>();
        if (resources == null) {
            return List.of();
        }
        for (ResourceSelector r : resources) {
            if (r.kind() == null || r.kind().isEmpty() || GitRepository.KIND.equals(r.kind())
                    || r.name() == null || r.name().isEmpty()) {
                continue;
            }
            String ns = namespaceOf(r, receiverNamespace);
            String apiVersion = r.apiVersion() == null || r.apiVersion().isEmpty() ? defaultApiVersion(r.kind()) : r.apiVersion();
            Map<String, String> labels = "*".equals(r.name()) && r.matchLabels() != null && !r.matchLabels().isEmpty()
                    ? Map.copyOf(r.matchLabels()) : null;
            out.add(new ReconcileRequest(apiVersion, r.kind(), ns, r.name(), labels));
        }
        return List.copyOf(out);
    }

    /**
     * @param receiverNamespace the Receiver's namespace
     * @param resources         its {@code spec.resources} (null: none)
     * @param sources           the GitRepositories known (the informer's cache)
     * @return keys of the selected GitRepositories, in order of first selection, without duplicates
     */
    public static Set<ObjectKey> select(String receiverNamespace, List<ResourceSelector> resources,
                                        Collection<GitRepository> sources) {
        Set<ObjectKey> out = new LinkedHashSet<>();
        if (resources == null) {
            return out;
        }
        for (ResourceSelector r : resources) {
            if (!GitRepository.KIND.equals(r.kind())) {
                continue;
            }
            String ns = namespaceOf(r, receiverNamespace);
            for (GitRepository g : sources) {
                if (!ns.equals(g.getMetadata().getNamespace())) {
                    continue;
                }
                boolean named = "*".equals(r.name()) ? labelsMatch(r.matchLabels(), g.getMetadata().getLabels())
                        : Objects.equals(r.name(), g.getMetadata().getName());
                if (named) {
                    out.add(new ObjectKey(GitRepository.KIND, ns, g.getMetadata().getName()));
                }
            }
        }
        return out;
    }

    /** @return the entry's {@code namespace}, defaulting to the Receiver's as Flux does */
    private static String namespaceOf(ResourceSelector r, String receiverNamespace) {
        return r.namespace() == null || r.namespace().isEmpty() ? receiverNamespace : r.namespace();
    }

    /** @return whether every {@code matchLabels} entry is among {@code labels} (no selector matches all) */
    public static boolean labelsMatch(Map<String, String> matchLabels, Map<String, String> labels) {
        if (matchLabels == null || matchLabels.isEmpty()) {
            return true;
        }
        if (labels == null) {
            return false;
        }
        return matchLabels.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }
}

package io.conflux.receiver.decide;

import io.conflux.model.meta.ObjectKey;
import io.conflux.model.notification.ReceiverSpec.ResourceSelector;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.GitRepositoryRef;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which GitRepositories a Receiver's {@code spec.resources} name, as Flux's notification-controller resolves them:
 * an entry names one object by {@code name}, or with {@code name: "*"} every object of the kind in the namespace
 * whose labels include all of {@code matchLabels}; {@code namespace} defaults to the Receiver's. Only kind
 * {@code GitRepository} is handled by this service; other kinds are left to the services that own them.
 */
public final class ResourceSelection {
    private ResourceSelection() {
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
            String ns = r.namespace() == null || r.namespace().isEmpty() ? receiverNamespace : r.namespace();
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

    /**
     * Whether a push to {@code branch} moves what the GitRepository tracks: its ref is a branch ref (no
     * {@code commit}, {@code name}, {@code semver} or {@code tag}, which take precedence in Flux) naming that
     * branch; no ref means Flux's default branch {@code master}.
     *
     * @param ref    the GitRepository's {@code spec.ref}, may be null
     * @param branch the pushed branch, e.g. {@code main}
     */
    public static boolean tracksBranch(GitRepositoryRef ref, String branch) {
        if (branch == null) {
            return false;
        }
        GitRepositoryRef r = ref == null ? GitRepositoryRef.DEFAULT : ref;
        if (set(r.commit()) || set(r.name()) || set(r.semver()) || set(r.tag())) {
            return false;
        }
        return branch.equals(set(r.branch()) ? r.branch() : "master");
    }

    private static boolean set(String s) {
        return s != null && !s.isEmpty();
    }
}

package io.conflux.receiver.decide;

import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.GitRepository;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.Store;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;

/**
 * The GitRepositories of the management cluster as the informer last saw them (filled by
 * {@code consume.GitRepositoryWatcher}); empty until the informer started.
 */
@ApplicationScoped
public class SourceCache {
    private volatile Store<GitRepository> store;

    /** @param store the informer's store */
    public void use(Store<GitRepository> store) {
        this.store = store;
    }

    /** @return the GitRepository with that key ({@code GitRepository/<ns>/<name>}), if cached */
    public Optional<GitRepository> get(ObjectKey key) {
        Store<GitRepository> s = store;
        return s == null ? Optional.empty() : Optional.ofNullable(s.getByKey(Cache.namespaceKeyFunc(key.namespace(), key.name())));
    }

    /** @return every cached GitRepository */
    public List<GitRepository> list() {
        Store<GitRepository> s = store;
        return s == null ? List.of() : s.list();
    }

    /** @return the key of a GitRepository, {@code GitRepository/<ns>/<name>} */
    public static ObjectKey keyOf(GitRepository g) {
        return new ObjectKey(GitRepository.KIND, g.getMetadata().getNamespace(), g.getMetadata().getName());
    }
}

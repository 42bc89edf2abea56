package io.conflux.notifier.dispatch;

import io.conflux.model.notification.Alert;
import io.conflux.model.notification.Provider;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.Store;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The {@code Alert}s and {@code Provider}s of the management cluster as the informers last saw them (filled by
 * {@code consume.NotificationObjectWatcher}), what events are matched against; empty until the informers started.
 */
@ApplicationScoped
public class NotificationObjects {
    private volatile Store<Alert> alerts;
    private volatile Store<Provider> providers;
    private final CompletableFuture<Void> synced = new CompletableFuture<>();

    /**
     * @param alerts    the Alert informer's store
     * @param providers the Provider informer's store
     */
    public void use(Store<Alert> alerts, Store<Provider> providers) {
        this.alerts = alerts;
        this.providers = providers;
    }

    /** @param failure null once both informers hold the cluster's objects, or why they could not start */
    public void synced(Throwable failure) {
        if (failure == null) {
            synced.complete(null);
        } else {
            synced.completeExceptionally(failure);
        }
    }

    /** @return completes once both caches hold the cluster's Alerts and Providers */
    public CompletionStage<Void> synced() {
        return synced;
    }

    /** @return every Alert in the cache */
    public List<Alert> alerts() {
        Store<Alert> s = alerts;
        return s == null ? List.of() : s.list();
    }

    /** @return every Provider in the cache */
    public List<Provider> providers() {
        Store<Provider> s = providers;
        return s == null ? List.of() : s.list();
    }

    /** @return the Provider {@code namespace/name} from the cache */
    public Optional<Provider> provider(String namespace, String name) {
        Store<Provider> s = providers;
        return s == null ? Optional.empty() : Optional.ofNullable(s.getByKey(Cache.namespaceKeyFunc(namespace, name)));
    }
}

package io.conflux.receiver.decide;

import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.Bucket;
import io.conflux.model.source.OCIRepository;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.Store;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code OCIRepository}s and {@code Bucket}s of the management cluster as their informers last saw them (filled
 * by {@code consume.ArtifactSourceWatcher}); empty until the informers started. The GitRepositories are
 * {@link SourceCache}'s.
 */
@ApplicationScoped
public class ArtifactSourceCache {
    private volatile Store<OCIRepository> ociRepositories;
    private volatile Store<Bucket> buckets;

    /** @param store the OCIRepository informer's store */
    public void useOciRepositories(Store<OCIRepository> store) {
        this.ociRepositories = store;
    }

    /** @param store the Bucket informer's store */
    public void useBuckets(Store<Bucket> store) {
        this.buckets = store;
    }

    /** @return whether {@code kind} is one this cache holds ({@code OCIRepository}, {@code Bucket}) */
    public static boolean handles(String kind) {
        return OCIRepository.KIND.equals(kind) || Bucket.KIND.equals(kind);
    }

    /** @return the OCIRepository or Bucket of {@code key}, if cached */
    public Optional<HasMetadata> get(ObjectKey key) {
        Store<? extends HasMetadata> s = switch (key.kind()) {
            case OCIRepository.KIND -> ociRepositories;
            case Bucket.KIND -> buckets;
            default -> null;
        };
        return s == null ? Optional.empty()
                : Optional.ofNullable(s.getByKey(Cache.namespaceKeyFunc(key.namespace(), key.name())));
    }

    /** @return every cached OCIRepository and Bucket */
    public List<HasMetadata> list() {
        List<HasMetadata> all = new ArrayList<>();
        Store<OCIRepository> o = ociRepositories;
        Store<Bucket> b = buckets;
        if (o != null) {
            all.addAll(o.list());
        }
        if (b != null) {
            all.addAll(b.list());
        }
        return all;
    }

    /** @return the key of an OCIRepository or Bucket, {@code <Kind>/<ns>/<name>} */
    public static ObjectKey keyOf(HasMetadata source) {
        String kind = source instanceof OCIRepository ? OCIRepository.KIND : Bucket.KIND;
        return new ObjectKey(kind, source.getMetadata().getNamespace(), source.getMetadata().getName());
    }

    /** @return {@code spec.interval} of an OCIRepository or Bucket, null when unset */
    public static String interval(HasMetadata source) {
        if (source instanceof OCIRepository o) {
            return o.getSpec() == null ? null : o.getSpec().interval();
        }
        return source instanceof Bucket b && b.getSpec() != null ? b.getSpec().interval() : null;
    }

    /** @return whether polling of an OCIRepository or Bucket is suspended */
    public static boolean suspended(HasMetadata source) {
        if (source instanceof OCIRepository o) {
            return o.getSpec() != null && o.getSpec().suspended();
        }
        return source instanceof Bucket b && b.getSpec() != null && b.getSpec().suspended();
    }
}

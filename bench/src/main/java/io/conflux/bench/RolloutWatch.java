package io.conflux.bench;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Watches the workloads of a cluster (Deployments, StatefulSets, DaemonSets, Jobs in every namespace) and records, per
 * owning Kustomization (the {@code kustomize.toolkit.fluxcd.io/name} label the applier stamps, as kustomize-controller
 * does), the first moment one of its workloads carried an image whose tag contains a marker: the moment that
 * Kustomization's new revision was applied, seen from outside the applier. Times are this JVM's clock, the same
 * machine's as the applier's history.
 */
final class RolloutWatch implements AutoCloseable {
    private static final List<String[]> WORKLOADS = List.of(new String[] {"apps/v1", "Deployment"},
            new String[] {"apps/v1", "StatefulSet"}, new String[] {"apps/v1", "DaemonSet"},
            new String[] {"batch/v1", "Job"});
    private static final String OWNER = "kustomize.toolkit.fluxcd.io/name";

    private final String marker;
    private final Map<String, OffsetDateTime> firstSeen = new ConcurrentHashMap<>();
    private final List<Watch> watches = new ArrayList<>();

    private RolloutWatch(String marker) {
        this.marker = marker;
    }

    /**
     * Starts watching; objects already carrying the marker when the watch starts are not counted.
     *
     * @param client the target cluster
     * @param marker text that the new image tags contain (for example {@code -r3})
     */
    static RolloutWatch start(KubernetesClient client, String marker) {
        RolloutWatch watch = new RolloutWatch(marker);
        for (String[] kind : WORKLOADS) {
            watch.watches.add(client.genericKubernetesResources(kind[0], kind[1]).inAnyNamespace()
                    .watch(new Watcher<GenericKubernetesResource>() {
                        @Override
                        public void eventReceived(Action action, GenericKubernetesResource object) {
                            if (action == Action.ADDED || action == Action.MODIFIED) {
                                watch.observe(object);
                            }
                        }

                        @Override
                        public void onClose(WatcherException cause) {
                        }
                    }));
        }
        return watch;
    }

    private void observe(GenericKubernetesResource object) {
        Map<String, String> labels = object.getMetadata().getLabels();
        String owner = labels == null ? null : labels.get(OWNER);
        if (owner == null || firstSeen.containsKey(owner)) {
            return;
        }
        Object containers = object.get("spec", "template", "spec", "containers");
        if (containers instanceof List<?> list && list.stream().anyMatch(c -> c instanceof Map<?, ?> m
                && String.valueOf(m.get("image")).contains(marker))) {
            firstSeen.putIfAbsent(owner, OffsetDateTime.now());
        }
    }

    /** @return when a workload of the Kustomization {@code name} first carried the marker, or null if none did */
    OffsetDateTime firstSeen(String name) {
        return firstSeen.get(name);
    }

    @Override
    public void close() {
        watches.forEach(Watch::close);
    }
}

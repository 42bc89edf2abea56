package io.conflux.embedded;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Plays, for the in-memory API server, the part of a real cluster that no API server does: the workload controllers
 * and kubelets. After {@code rolloutTime}, every Deployment, StatefulSet, ReplicaSet and DaemonSet gets the status of
 * a rollout whose pods all started ({@code observedGeneration} = {@code metadata.generation}, all replicas updated,
 * ready and available, a {@code Available=True} condition for Deployments), every Job gets {@code Complete=True},
 * every Pod runs (phase {@code Running}, {@code Ready=True}) or, with {@code restartPolicy} {@code Never} or
 * {@code OnFailure}, has run (phase {@code Succeeded}: a Helm hook or test Pod)
 * (a CustomResourceDefinition is {@code Established} at once, by the API server itself) — the statuses kstatus (and so Flux's
 * {@code wait}/{@code healthChecks}) reads as Current. Without it, nothing on the in-memory cluster ever becomes
 * healthy. The status is written through the status subresource; objects whose status is already current for their
 * generation are left alone, so a spec change (new generation) rolls out again after {@code rolloutTime}.
 *
 * <p>A test makes a Job or Pod fail instead by annotating it (or a Job's {@code spec.template}) with
 * {@value #OUTCOME_ANNOTATION}{@code : Failed}: the Job gets {@code failed: 1} and {@code Failed=True}
 * ({@code BackoffLimitExceeded}), the Pod phase {@code Failed}. A Deployment, StatefulSet or ReplicaSet whose pod
 * template is so annotated has pods that never become ready (a crash loop): its generation is observed, with no ready
 * or available replica (a Deployment {@code Available=False MinimumReplicasUnavailable}), so kstatus keeps it
 * {@code InProgress} and a wait on it times out. A Pod that runs once ends as a kubelet reports it
 * ({@link PodExit}): every container {@code terminated} with an exit code, phase {@code Succeeded} when all are 0,
 * else {@code Failed}; a container whose command is a shell running only {@code exit <n>} (the shape of charts' failing
 * test hooks, e.g. podinfo's {@code faults.testFail}) exits with {@code n}, every other with 0 — no image is run.
 */
public final class WorkloadController implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WorkloadController.class);
    /** Annotation making a Job or Pod fail ({@code Failed}) rather than complete. */
    public static final String OUTCOME_ANNOTATION = "embedded.conflux.io/outcome";
    private static final List<ResourceDefinitionContext> KINDS = List.of(
            context("apps", "v1", "Deployment", "deployments", true),
            context("apps", "v1", "StatefulSet", "statefulsets", true),
            context("apps", "v1", "ReplicaSet", "replicasets", true),
            context("apps", "v1", "DaemonSet", "daemonsets", true),
            context("batch", "v1", "Job", "jobs", true),
            context("", "v1", "Pod", "pods", true));

    private final KubernetesClient client;
    private final Duration rolloutTime;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "workload-controller");
        t.setDaemon(true);
        return t;
    });
    private final List<SharedIndexInformer<GenericKubernetesResource>> informers = new ArrayList<>();

    private WorkloadController(KubernetesClient client, Duration rolloutTime) {
        this.client = client;
        this.rolloutTime = rolloutTime;
    }

    /**
     * Starts watching the cluster.
     *
     * @param client      a client of the (in-memory) cluster; not closed by {@link #close()}
     * @param rolloutTime how long after a workload's create or spec change its status turns healthy (zero: at once)
     * @return the running controller; close it to stop
     */
    public static WorkloadController start(KubernetesClient client, Duration rolloutTime) {
        WorkloadController controller = new WorkloadController(client, rolloutTime);
        for (ResourceDefinitionContext kind : KINDS) {
            var resources = client.genericKubernetesResources(kind);
            SharedIndexInformer<GenericKubernetesResource> informer = kind.isNamespaceScoped()
                    ? resources.inAnyNamespace().inform(controller.handler(kind))
                    : resources.inform(controller.handler(kind));
            controller.informers.add(informer);
        }
        return controller;
    }

    private ResourceEventHandler<GenericKubernetesResource> handler(ResourceDefinitionContext kind) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(GenericKubernetesResource obj) {
                schedule(kind, obj);
            }

            @Override
            public void onUpdate(GenericKubernetesResource oldObj, GenericKubernetesResource newObj) {
                schedule(kind, newObj);
            }

            @Override
            public void onDelete(GenericKubernetesResource obj, boolean deletedFinalStateUnknown) {
            }
        };
    }

    private void schedule(ResourceDefinitionContext kind, GenericKubernetesResource obj) {
        Map<String, Object> status = desiredStatus(kind.getKind(), obj);
        if (status.isEmpty()) {
            return;
        }
        scheduler.schedule(() -> writeStatus(kind, obj, status), rolloutTime.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** @return the status to write, or empty when the object's status is already the healthy one for its generation */
    static Map<String, Object> desiredStatus(String kind, GenericKubernetesResource obj) {
        long generation = obj.getMetadata().getGeneration() == null ? 1 : obj.getMetadata().getGeneration();
        Map<?, ?> current = obj.getAdditionalProperties().get("status") instanceof Map<?, ?> m ? m : Map.of();
        Map<?, ?> spec = obj.getAdditionalProperties().get("spec") instanceof Map<?, ?> m ? m : Map.of();
        Map<String, Object> status = new LinkedHashMap<>();
        String now = Instant.now().toString();
        switch (kind) {
            case "Deployment", "StatefulSet", "ReplicaSet" -> {
                long replicas = spec.get("replicas") instanceof Number n ? n.longValue() : 1;
                // pods annotated to fail crash-loop: they run but never become ready
                long ready = fails(obj, spec) ? 0 : replicas;
                status.put("observedGeneration", generation);
                status.put("replicas", replicas);
                status.put("updatedReplicas", replicas);
                status.put("readyReplicas", ready);
                status.put("availableReplicas", ready);
                if (ready < replicas) {
                    status.put("unavailableReplicas", replicas - ready);
                }
                if (kind.equals("ReplicaSet")) {
                    status.remove("updatedReplicas");
                    status.remove("unavailableReplicas");
                    status.put("fullyLabeledReplicas", replicas);
                }
                if (kind.equals("StatefulSet")) {
                    status.remove("unavailableReplicas");
                    status.put("currentReplicas", replicas);
                }
                if (kind.equals("Deployment")) {
                    status.put("conditions", ready < replicas
                            ? List.of(Map.of("type", "Available", "status", "False", "reason", "MinimumReplicasUnavailable",
                                    "lastTransitionTime", now), condition("Progressing", "ReplicaSetUpdated", now))
                            : List.of(condition("Available", "MinimumReplicasAvailable", now),
                                    condition("Progressing", "NewReplicaSetAvailable", now)));
                }
            }
            case "DaemonSet" -> {
                status.put("observedGeneration", generation);
                for (String field : List.of("desiredNumberScheduled", "currentNumberScheduled", "updatedNumberScheduled",
                        "numberReady", "numberAvailable")) {
                    status.put(field, 1);
                }
                status.put("numberMisscheduled", 0);
            }
            case "Job" -> {
                if (fails(obj, spec)) {
                    status.put("failed", 1);
                    status.put("conditions", List.of(condition("Failed", "BackoffLimitExceeded", now)));
                } else {
                    status.put("succeeded", 1);
                    status.put("conditions", List.of(condition("Complete", "CompletionsReached", now)));
                }
            }
            case "Pod" -> {
                boolean runsOnce = "Never".equals(spec.get("restartPolicy")) || "OnFailure".equals(spec.get("restartPolicy"));
                if (runsOnce || fails(obj, Map.of())) {
                    // as a kubelet reports a pod whose containers ran to the end: each one terminated with its exit code
                    List<Map<String, Object>> containers = PodExit.containerStatuses(spec, fails(obj, Map.of()), now);
                    boolean failed = containers.stream().anyMatch(c -> PodExit.exitCode(c) != 0);
                    status.put("phase", failed ? "Failed" : "Succeeded");
                    status.put("conditions", List.of(condition("Initialized", "PodCompleted", now),
                            Map.of("type", "Ready", "status", "False", "reason", "PodCompleted", "lastTransitionTime", now),
                            Map.of("type", "ContainersReady", "status", "False", "reason", "PodCompleted",
                                    "lastTransitionTime", now),
                            condition("PodScheduled", "Scheduled", now)));
                    status.put("startTime", now);
                    status.put("containerStatuses", containers);
                } else {
                    status.put("phase", "Running");
                    status.put("conditions", List.of(condition("Ready", "PodReady", now)));
                }
            }
            default -> {
                return Map.of();
            }
        }
        return healthy(current, status, generation) ? Map.of() : status;
    }

    /** @return whether the object, or the Job's pod template ({@code spec}), is annotated to fail */
    private static boolean fails(GenericKubernetesResource obj, Map<?, ?> spec) {
        Map<String, String> annotations = obj.getMetadata().getAnnotations();
        if (annotations != null && "Failed".equals(annotations.get(OUTCOME_ANNOTATION))) {
            return true;
        }
        return spec.get("template") instanceof Map<?, ?> template && template.get("metadata") instanceof Map<?, ?> metadata
                && metadata.get("annotations") instanceof Map<?, ?> a && "Failed".equals(a.get(OUTCOME_ANNOTATION));
    }

    private static boolean healthy(Map<?, ?> current, Map<String, Object> desired, long generation) {
        if (desired.containsKey("observedGeneration")
                && !(current.get("observedGeneration") instanceof Number n && n.longValue() >= generation)) {
            return false;
        }
        for (Map.Entry<String, Object> e : desired.entrySet()) {
            if (e.getKey().equals("conditions")) {
                if (!(current.get("conditions") instanceof List<?> have) || have.size() != ((List<?>) e.getValue()).size()) {
                    return false;
                }
            } else if (e.getValue() instanceof List<?> want) {
                if (!(current.get(e.getKey()) instanceof List<?> have) || have.size() != want.size()) {
                    return false;
                }
            } else if (e.getValue() instanceof String text) {
                if (!text.equals(current.get(e.getKey()))) {
                    return false;
                }
            } else if (!e.getKey().equals("observedGeneration")
                    && !(current.get(e.getKey()) instanceof Number n && n.longValue() == ((Number) e.getValue()).longValue())) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, Object> condition(String type, String reason, String now) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", type);
        c.put("status", "True");
        c.put("reason", reason);
        c.put("lastTransitionTime", now);
        return c;
    }

    private void writeStatus(ResourceDefinitionContext kind, GenericKubernetesResource seen, Map<String, Object> status) {
        var resources = client.genericKubernetesResources(kind);
        var resource = kind.isNamespaceScoped()
                ? resources.inNamespace(seen.getMetadata().getNamespace()).withName(seen.getMetadata().getName())
                : resources.withName(seen.getMetadata().getName());
        try {
            GenericKubernetesResource latest = resource.get();
            if (latest == null || !Objects.equals(latest.getMetadata().getGeneration(), seen.getMetadata().getGeneration())) {
                return; // deleted, or changed again: the newer event schedules its own rollout
            }
            latest.getAdditionalProperties().put("status", status);
            var scoped = kind.isNamespaceScoped() ? resources.inNamespace(seen.getMetadata().getNamespace()) : resources;
            scoped.resource(latest).updateStatus();
        } catch (KubernetesClientException e) {
            LOG.debugf("status of %s %s/%s not written: %s", kind.getKind(), seen.getMetadata().getNamespace(),
                    seen.getMetadata().getName(), e.getMessage());
        }
    }

    private static ResourceDefinitionContext context(String group, String version, String kind, String plural,
                                                     boolean namespaced) {
        return new ResourceDefinitionContext.Builder().withGroup(group).withVersion(version).withKind(kind)
                .withPlural(plural).withNamespaced(namespaced).build();
    }

    /** Stops the informers and the pending status writes. */
    @Override
    public void close() {
        informers.forEach(SharedIndexInformer::close);
        scheduler.shutdownNow();
    }
}

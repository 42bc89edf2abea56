package io.conflux.applier.release;

import io.conflux.applier.apply.ScopeResolver;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the hooks of one event on the release's target cluster as Helm's {@code execHook} does
 * ({@code helm.sh/helm/v4/pkg/action/hooks.go}): the event's hooks in {@link Hook#forEvent} order, one at a time —
 * the previous object deleted first (background propagation, awaited) under {@code before-hook-creation}, the hook
 * created with server-side apply, then waited for: a {@code Job} until its {@code Complete} (success) or
 * {@code Failed} (failure) condition, a {@code Pod} until phase {@code Succeeded} or {@code Failed}, any other kind
 * is done once created (Helm's {@code WatchUntilReady}). The first failure stops the event: that hook is deleted under
 * {@code hook-failed}, the ones that succeeded before it under {@code hook-succeeded}; when every hook succeeded each is
 * deleted under {@code hook-succeeded}, in reverse order. CustomResourceDefinitions are never deleted. Hooks carry no
 * owner labels and are never in a release's inventory, so they are never pruned. Blocking: call from a worker thread.
 */
public final class HookRunner {
    private static final KubernetesSerialization KUBERNETES_JSON = new KubernetesSerialization();

    private final KubernetesClient client;
    private final String fieldManager;
    private final Duration pollInterval;
    private final ScopeResolver scopes;

    /**
     * @param client       the release's target cluster (as the release's service account)
     * @param fieldManager the server-side apply field manager, e.g. {@code conflux}
     * @param pollInterval how often a hook's status is read while it runs
     */
    public HookRunner(KubernetesClient client, String fieldManager, Duration pollInterval) {
        this.client = client;
        this.fieldManager = fieldManager;
        this.pollInterval = pollInterval;
        this.scopes = new ScopeResolver(client);
    }

    /**
     * How one hook ran, Helm's {@code HookExecution}.
     *
     * @param hook        the hook
     * @param startedAt   when it was created
     * @param completedAt when it succeeded or failed
     * @param phase       {@code Succeeded} or {@code Failed}
     */
    public record Execution(Hook hook, Instant startedAt, Instant completedAt, String phase) {
        /** @return whether the hook succeeded */
        public boolean succeeded() {
            return "Succeeded".equals(phase);
        }
    }

    /**
     * What running an event's hooks came to.
     *
     * @param event      e.g. {@code pre-install}
     * @param executions the hooks that ran, in order (the last one failed when {@code error} is set)
     * @param error      null when every hook succeeded, else {@code <event> hook <Kind/ns/name> failed: <why>}
     */
    public record Result(String event, List<Execution> executions, String error) {
        /** @return whether every hook of the event succeeded (or there were none) */
        public boolean succeeded() {
            return error == null;
        }
    }

    /**
     * Runs the hooks of {@code event}.
     *
     * @param hooks   the release's hook objects ({@code ReleaseBundle.hooks()})
     * @param event   the Helm hook event, e.g. {@code pre-upgrade} or {@code test}
     * @param timeout how long each hook may take to complete (and each deletion to finish)
     * @return the result; a refused request or a timeout is a failed result naming the hook, never an exception
     */
    public Result run(List<Map<String, Object>> hooks, String event, Duration timeout) {
        List<Hook> selected = Hook.forEvent(hooks, event);
        List<Execution> done = new ArrayList<>();
        for (Hook hook : selected) {
            Instant started = Instant.now();
            String error;
            try {
                if (hook.deletes(Hook.BEFORE_HOOK_CREATION)) {
                    delete(hook, timeout);
                }
                Resource<GenericKubernetesResource> resource = resource(hook);
                resource.fieldManager(fieldManager).forceConflicts().serverSideApply();
                error = await(resource, hook, timeout).orElse(null);
            } catch (KubernetesClientException | IllegalArgumentException e) {
                error = e.getMessage();
            }
            if (error != null) {
                done.add(new Execution(hook, started, Instant.now(), "Failed"));
                String message = event + " hook " + hook.id() + " failed: " + error;
                try {
                    if (hook.deletes(Hook.HOOK_FAILED)) {
                        delete(hook, timeout);
                    }
                    for (Execution ok : done.subList(0, done.size() - 1)) {
                        if (ok.hook().deletes(Hook.HOOK_SUCCEEDED)) {
                            delete(ok.hook(), timeout);
                        }
                    }
                } catch (KubernetesClientException | IllegalArgumentException e) {
                    message += " (and its deletion failed: " + e.getMessage() + ")";
                }
                return new Result(event, List.copyOf(done), message);
            }
            done.add(new Execution(hook, started, Instant.now(), "Succeeded"));
        }
        for (int i = done.size() - 1; i >= 0; i--) {
            Hook hook = done.get(i).hook();
            if (hook.deletes(Hook.HOOK_SUCCEEDED)) {
                try {
                    delete(hook, timeout);
                } catch (KubernetesClientException | IllegalArgumentException e) {
                    return new Result(event, List.copyOf(done), event + " hook " + hook.id()
                            + " succeeded but could not be deleted: " + e.getMessage());
                }
            }
        }
        return new Result(event, List.copyOf(done), null);
    }

    private Resource<GenericKubernetesResource> resource(Hook hook) {
        GenericKubernetesResource r = KUBERNETES_JSON.convertValue(hook.object(), GenericKubernetesResource.class);
        if (r.getApiVersion() == null || r.getKind() == null || r.getMetadata() == null || r.getMetadata().getName() == null) {
            throw new IllegalArgumentException("hook without apiVersion, kind or metadata.name");
        }
        if (scopes.namespaced(r.getApiVersion(), r.getKind())) {
            if (r.getMetadata().getNamespace() == null || r.getMetadata().getNamespace().isEmpty()) {
                r.getMetadata().setNamespace(client.getNamespace() == null ? "default" : client.getNamespace());
            }
            return client.resource(r).inNamespace(r.getMetadata().getNamespace());
        }
        r.getMetadata().setNamespace(null);
        return client.resource(r);
    }

    /** Deletes the hook's object, if any, and waits until it is gone. */
    private void delete(Hook hook, Duration timeout) {
        Resource<GenericKubernetesResource> resource = resource(hook);
        if (resource.get() == null) {
            return;
        }
        resource.withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
        Instant deadline = Instant.now().plus(timeout);
        while (resource.get() != null) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalArgumentException("timed out waiting for " + hook.id() + " to be deleted");
            }
            sleep();
        }
    }

    /** @return empty once the hook is done, else why it failed or that it timed out */
    private Optional<String> await(Resource<GenericKubernetesResource> resource, Hook hook, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            GenericKubernetesResource live = resource.get();
            if (live == null) {
                return Optional.of("it was deleted before it completed");
            }
            Optional<Optional<String>> outcome = outcome(hook.kind(), live.getAdditionalProperties().get("status"));
            if (outcome.isPresent()) {
                return outcome.get();
            }
            if (Instant.now().isAfter(deadline)) {
                return Optional.of("timed out after " + timeout + " waiting for it to complete");
            }
            sleep();
        }
    }

    /**
     * @param kind   the hook's kind
     * @param status its live {@code status}
     * @return empty while it runs; else empty inside for success, or why it failed
     */
    static Optional<Optional<String>> outcome(String kind, Object status) {
        Map<?, ?> s = status instanceof Map<?, ?> m ? m : Map.of();
        switch (kind) {
            case "Job" -> {
                if (s.get("conditions") instanceof List<?> conditions) {
                    for (Object c : conditions) {
                        if (c instanceof Map<?, ?> condition && "True".equals(condition.get("status"))) {
                            if ("Complete".equals(condition.get("type"))) {
                                return Optional.of(Optional.empty());
                            }
                            if ("Failed".equals(condition.get("type"))) {
                                return Optional.of(Optional.of("job failed: " + condition.get("reason")
                                        + (condition.get("message") == null ? "" : " (" + condition.get("message") + ")")));
                            }
                        }
                    }
                }
                return Optional.empty();
            }
            case "Pod" -> {
                Object phase = s.get("phase");
                if ("Succeeded".equals(phase)) {
                    return Optional.of(Optional.empty());
                }
                if ("Failed".equals(phase)) {
                    return Optional.of(Optional.of("pod failed" + (s.get("reason") == null ? "" : ": " + s.get("reason"))));
                }
                return Optional.empty();
            }
            default -> {
                return Optional.of(Optional.empty());
            }
        }
    }

    private void sleep() {
        try {
            Thread.sleep(pollInterval.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalArgumentException("interrupted while waiting for a hook", e);
        }
    }
}

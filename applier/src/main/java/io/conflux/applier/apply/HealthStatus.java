package io.conflux.applier.apply;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * kstatus' computation of whether an object is {@code Current} ({@code sigs.k8s.io/cli-utils/pkg/kstatus/status}),
 * for the kinds Flux's health checks know: Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, Pod,
 * PersistentVolumeClaim, Service, Namespace, CustomResourceDefinition, and any object with a {@code Ready} condition
 * (Flux's own kinds included). Flux's own kinds ({@code *.toolkit.fluxcd.io}) are Current only once their
 * controller reported {@code Ready=True} for the current generation — a HelmRelease or Kustomization that was just
 * created and has no status yet is InProgress, as Flux users expect of {@code wait} — other objects without
 * conditions are Current once they exist.
 */
public final class HealthStatus {
    private HealthStatus() {
    }

    /**
     * The status of one object.
     *
     * @param current whether the object reached its desired state
     * @param failed  whether it will not get there (a failed Job, a Ready=False with a terminal reason)
     * @param message kstatus-like detail, e.g. {@code Deployment does not have minimum availability}
     * @param unknown whether the status could not be computed (kstatus' {@code Unknown}: a health check expression
     *                failed to evaluate); such an object is not Current and is waited for, like an InProgress one
     */
    public record Result(boolean current, boolean failed, String message, boolean unknown) {
        /** @return kstatus' Current */
        static Result isCurrent() {
            return new Result(true, false, "Resource is current", false);
        }

        /** @return kstatus' InProgress with {@code message} */
        static Result inProgress(String message) {
            return new Result(false, false, message, false);
        }

        /** @return kstatus' Failed with {@code message} */
        static Result isFailed(String message) {
            return new Result(false, true, message, false);
        }

        /** @return kstatus' Unknown with {@code message} (why the status could not be computed) */
        static Result unknown(String message) {
            return new Result(false, false, message, true);
        }
    }

    /** @return the kstatus of {@code object} (a JSON tree as read from the API server) */
    public static Result of(Map<String, Object> object) {
        String kind = String.valueOf(object.get("kind"));
        Map<?, ?> metadata = map(object.get("metadata"));
        Map<?, ?> spec = map(object.get("spec"));
        Map<?, ?> status = map(object.get("status"));
        long generation = number(metadata.get("generation"), 0);
        if (status.containsKey("observedGeneration") && number(status.get("observedGeneration"), 0) < generation) {
            return Result.inProgress(kind + " generation is " + generation + ", but latest observed generation is "
                    + number(status.get("observedGeneration"), 0));
        }
        if (kind.equals("HelmRepository") && ("oci".equals(spec.get("type")) || String.valueOf(spec.get("url")).startsWith("oci://"))) {
            return Result.isCurrent(); // source-controller gives OCI HelmRepositories no status: they are static
        }
        if (String.valueOf(object.get("apiVersion")).contains(".toolkit.fluxcd.io/")) {
            return flux(kind, generation, status);
        }
        return switch (kind) {
            case "Deployment" -> replicas(kind, spec, status, "updatedReplicas", "availableReplicas", "Deployment does not have minimum availability");
            case "StatefulSet" -> replicas(kind, spec, status, "updatedReplicas", "readyReplicas", "StatefulSet is not ready");
            case "ReplicaSet" -> replicas(kind, spec, status, "fullyLabeledReplicas", "availableReplicas", "ReplicaSet is not available");
            case "DaemonSet" -> daemonSet(status);
            case "Job" -> job(status);
            case "Pod" -> pod(status);
            case "PersistentVolumeClaim" -> "Bound".equals(status.get("phase")) ? Result.isCurrent() : Result.inProgress("PVC is not Bound");
            case "Service" -> service(spec, status);
            case "Namespace" -> status.get("phase") == null || "Active".equals(status.get("phase")) ? Result.isCurrent()
                    : Result.inProgress("Namespace is " + status.get("phase"));
            case "CustomResourceDefinition" -> crd(status);
            default -> condition(status, "Ready").map(c -> "True".equals(c.get("status")) ? Result.isCurrent()
                    : Result.inProgress(String.valueOf(Objects.requireNonNullElse(c.get("message"), "not Ready"))))
                    .orElse(Result.isCurrent());
        };
    }

    private static Result flux(String kind, long generation, Map<?, ?> status) {
        var ready = condition(status, "Ready");
        if (ready.isEmpty() || (generation > 0 && number(status.get("observedGeneration"), -1) != generation
                && number(ready.get().get("observedGeneration"), -1) != generation)) {
            return Result.inProgress(kind + " has not been reconciled yet at generation " + generation);
        }
        return "True".equals(ready.get().get("status")) ? Result.isCurrent()
                : Result.inProgress(String.valueOf(Objects.requireNonNullElse(ready.get().get("message"), "not Ready")));
    }

    private static Result replicas(String kind, Map<?, ?> spec, Map<?, ?> status, String updated, String available, String message) {
        long desired = number(spec.get("replicas"), 1);
        if (number(status.get(updated), 0) < desired || number(status.get(available), 0) < desired) {
            return Result.inProgress(message + ": " + number(status.get(available), 0) + "/" + desired + " " + available.replace("Replicas", ""));
        }
        return Result.isCurrent();
    }

    private static Result daemonSet(Map<?, ?> status) {
        long desired = number(status.get("desiredNumberScheduled"), -1);
        if (desired < 0 || number(status.get("updatedNumberScheduled"), 0) < desired
                || number(status.get("numberAvailable"), 0) < desired) {
            return Result.inProgress("DaemonSet is not available");
        }
        return Result.isCurrent();
    }

    private static Result job(Map<?, ?> status) {
        if (condition(status, "Failed").filter(c -> "True".equals(c.get("status"))).isPresent()) {
            return Result.isFailed("Job failed");
        }
        return condition(status, "Complete").filter(c -> "True".equals(c.get("status"))).isPresent()
                ? Result.isCurrent() : Result.inProgress("Job in progress");
    }

    private static Result pod(Map<?, ?> status) {
        Object phase = status.get("phase");
        if ("Succeeded".equals(phase)) {
            return Result.isCurrent();
        }
        if ("Failed".equals(phase)) {
            return Result.isFailed("Pod failed");
        }
        return condition(status, "Ready").filter(c -> "True".equals(c.get("status"))).isPresent()
                ? Result.isCurrent() : Result.inProgress("Pod is not Ready");
    }

    private static Result service(Map<?, ?> spec, Map<?, ?> status) {
        if (!"LoadBalancer".equals(spec.get("type"))) {
            return Result.isCurrent();
        }
        Object ingress = map(status.get("loadBalancer")).get("ingress");
        return ingress instanceof List<?> l && !l.isEmpty() ? Result.isCurrent() : Result.inProgress("Service has no load balancer address");
    }

    /**
     * kstatus' rules for a CustomResourceDefinition (cli-utils {@code pkg/kstatus/status/core.go},
     * {@code CRDConditions}), its conditions read in order: {@code NamesAccepted=False} is Failed (its names conflict
     * with another CRD's: it will never be served), so is {@code Established=False} with a reason other than
     * {@code Installing}; {@code Established=True} is Current; anything else is InProgress ({@code Install in progress}).
     */
    private static Result crd(Map<?, ?> status) {
        if (status.get("conditions") instanceof List<?> conditions) {
            for (Object o : conditions) {
                if (!(o instanceof Map<?, ?> c)) {
                    continue;
                }
                String message = c.get("reason") + ": " + Objects.requireNonNullElse(c.get("message"), "");
                if ("NamesAccepted".equals(c.get("type")) && "False".equals(c.get("status"))) {
                    return Result.isFailed(message);
                }
                if ("Established".equals(c.get("type"))) {
                    if ("False".equals(c.get("status")) && !"Installing".equals(c.get("reason"))) {
                        return Result.isFailed(message);
                    }
                    if ("True".equals(c.get("status"))) {
                        return Result.isCurrent();
                    }
                }
            }
        }
        return Result.inProgress("Install in progress");
    }

    private static java.util.Optional<Map<?, ?>> condition(Map<?, ?> status, String type) {
        if (status.get("conditions") instanceof List<?> conditions) {
            for (Object c : conditions) {
                if (c instanceof Map<?, ?> m && type.equals(m.get("type"))) {
                    return java.util.Optional.of(m);
                }
            }
        }
        return java.util.Optional.empty();
    }

    private static Map<?, ?> map(Object o) {
        return o instanceof Map<?, ?> m ? m : Map.of();
    }

    private static long number(Object o, long fallback) {
        return o instanceof Number n ? n.longValue() : fallback;
    }
}

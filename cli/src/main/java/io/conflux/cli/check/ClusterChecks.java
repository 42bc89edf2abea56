package io.conflux.cli.check;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.conflux.model.meta.FluxKinds;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.meta.StallAudit;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Optional;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * What {@code conflux check} reads from the management cluster, as {@code flux check} and {@code flux get all -A}
 * do: Conflux's CRDs installed, serving their versions and {@code Established}; Flux's controller Deployments (which
 * must not run beside Conflux) and the ones the applier skipped; every Flux object that is not Ready, with its reason;
 * every Provider and Alert (static objects in Flux, without status) the notifier reported {@code InvalidConfig}.
 */
public final class ClusterChecks {
    /** The condition the applier writes on a Kustomization that left toolkit CRDs or Flux controllers out. */
    public static final String SKIPPED_CONDITION = "ToolkitObjectsSkipped";

    /** The Flux kinds listed for objects not Ready: group, version, plural, kind (a kind without its CRD is left out). */
    static final List<ResourceDefinitionContext> FLUX_KINDS = Stream.concat(
            FluxKinds.WITH_STATUS.stream(), FluxKinds.STATIC.stream()).toList();

    /**
     * Flux kinds without status (notification-controller's static v1beta3 {@code Provider} and {@code Alert}): not
     * listed for want of {@code Ready} but for their {@code InvalidConfig} Warning Events ({@link #invalidConfig}).
     */
    static final List<String> STATIC_KINDS = List.of("Provider", "Alert");
    /** Reason of the Warning Event the notifier (as notification-controller) writes on an unusable Provider or Alert. */
    public static final String INVALID_CONFIG = "InvalidConfig";
    /** Annotation of that Event holding the object generation it is about. */
    public static final String GENERATION_ANNOTATION = "notification.toolkit.fluxcd.io/generation";

    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    private ClusterChecks() {
    }

    /**
     * @param expected CRD name → versions Conflux serves ({@link ConfluxCrds#served})
     * @param cluster  the cluster's CRDs
     * @return one finding per expected CRD: missing, a version not served, not {@code Established}, or fine
     */
    public static List<Finding> crds(Map<String, List<String>> expected, List<CustomResourceDefinition> cluster) {
        List<Finding> out = new ArrayList<>();
        expected.forEach((name, versions) -> {
            CustomResourceDefinition crd = cluster.stream().filter(c -> name.equals(c.getMetadata().getName()))
                    .findFirst().orElse(null);
            if (crd == null) {
                out.add(Finding.fail("crds", name + " is not installed (apply deploy/crds)"));
                return;
            }
            List<String> served = ConfluxCrds.servedVersions(crd);
            List<String> missing = versions.stream().filter(v -> !served.contains(v)).toList();
            boolean established = crd.getStatus() != null && crd.getStatus().getConditions() != null
                    && crd.getStatus().getConditions().stream()
                    .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
            if (!missing.isEmpty()) {
                out.add(Finding.fail("crds", name + " does not serve " + String.join(", ", missing)
                        + " (serves " + String.join(", ", served) + "): a bundle or another tool replaced Conflux's CRD"));
            } else if (!established) {
                out.add(Finding.fail("crds", name + " is not Established"));
            } else {
                out.add(Finding.ok("crds", name + " serves " + String.join(", ", served)));
            }
        });
        return out;
    }

    /**
     * @param deployments   the cluster's Deployments labelled {@code app.kubernetes.io/part-of: flux}
     * @param kustomizations every Kustomization, as JSON
     * @return a failure per Flux controller Deployment found (it would reconcile the same objects as Conflux), a
     *         warning per Kustomization whose bundle's toolkit objects the applier skipped (naming them)
     */
    public static List<Finding> fluxControllers(List<Deployment> deployments, List<JsonNode> kustomizations) {
        List<Finding> out = new ArrayList<>();
        for (Deployment d : deployments) {
            Integer ready = d.getStatus() == null ? null : d.getStatus().getReadyReplicas();
            out.add(Finding.fail("flux-controllers", "Deployment/" + d.getMetadata().getNamespace() + "/"
                    + d.getMetadata().getName() + " (" + Objects.requireNonNullElse(ready, 0)
                    + " ready) runs Flux beside Conflux: delete it, both reconcile the same objects"));
        }
        for (JsonNode k : kustomizations) {
            for (JsonNode c : k.at("/status/conditions")) {
                if (SKIPPED_CONDITION.equals(c.path("type").asText()) && "True".equals(c.path("status").asText())) {
                    out.add(Finding.warn("flux-controllers", "Kustomization/" + k.at("/metadata/namespace").asText()
                            + "/" + k.at("/metadata/name").asText() + " skipped: " + c.path("message").asText()));
                }
            }
        }
        if (out.isEmpty()) {
            out.add(Finding.ok("flux-controllers", "no Flux controller Deployment found"));
        }
        return out;
    }

    /**
     * @param objects Flux objects as JSON (any kinds)
     * @param now     the time of the check
     * @param grace   the stall audit's margin beyond interval + timeout ({@code conflux.applier.stall-audit.grace})
     * @return a failure per object not suspended whose {@code Ready} is not {@code True} for its generation, with
     *         its reason and message (or "no Ready condition: not reconciled yet"); an object pending past its
     *         interval + timeout + grace whose status does not say so yet (the applier's audit has not run: the
     *         applier is down, say) is listed as stalled with what it waits for ({@link StallAudit}); one ok line
     *         when all are Ready
     */
    public static List<Finding> notReady(List<JsonNode> objects, Instant now, Duration grace) {
        Map<ObjectKey, JsonNode> byKey = new HashMap<>();
        for (JsonNode o : objects) {
            byKey.put(new ObjectKey(o.path("kind").asText(), o.at("/metadata/namespace").asText(),
                    o.at("/metadata/name").asText()), o);
        }
        List<Finding> out = new ArrayList<>();
        List<JsonNode> sorted = new ArrayList<>(objects);
        sorted.sort(Comparator.comparing((JsonNode o) -> o.path("kind").asText())
                .thenComparing(o -> o.at("/metadata/namespace").asText())
                .thenComparing(o -> o.at("/metadata/name").asText()));
        for (JsonNode o : sorted) {
            if (o.at("/spec/suspend").asBoolean(false)) {
                continue;
            }
            String subject = o.path("kind").asText() + "/" + o.at("/metadata/namespace").asText() + "/"
                    + o.at("/metadata/name").asText();
            JsonNode ready = null;
            for (JsonNode c : o.at("/status/conditions")) {
                if ("Ready".equals(c.path("type").asText())) {
                    ready = c;
                }
            }
            Optional<StallAudit.Stall> stall = StallAudit.of(o, k -> Optional.ofNullable(byKey.get(k)), now, grace)
                    .filter(st -> !st.reported());
            if (stall.isPresent()) {
                out.add(Finding.fail("objects", subject + ": stalled: " + stall.get().reason() + ": "
                        + stall.get().message()));
            } else if (ready == null) {
                out.add(Finding.fail("objects", subject + ": no Ready condition: not reconciled yet"));
            } else if (!"True".equals(ready.path("status").asText())) {
                out.add(Finding.fail("objects", subject + ": Ready=" + ready.path("status").asText() + " "
                        + ready.path("reason").asText() + ": " + ready.path("message").asText()));
            } else if (ready.has("observedGeneration")
                    && ready.path("observedGeneration").asLong() < o.at("/metadata/generation").asLong()) {
                out.add(Finding.fail("objects", subject + ": Ready for generation "
                        + ready.path("observedGeneration").asLong() + ", not yet for "
                        + o.at("/metadata/generation").asLong()));
            }
        }
        if (out.isEmpty()) {
            out.add(Finding.ok("objects", objects.size() + " Flux objects Ready"));
        }
        return out;
    }

    /**
     * @param objects Providers and Alerts as JSON (objects without status)
     * @param events  {@code events.k8s.io/v1} Events as JSON
     * @return a failure per object with a {@code Warning} {@value #INVALID_CONFIG} Event about it — same uid and,
     *         when the Event carries {@value #GENERATION_ANNOTATION}, the object's current generation — with the
     *         Event's note; one ok line when there is none
     */
    public static List<Finding> invalidConfig(List<JsonNode> objects, List<JsonNode> events) {
        List<Finding> out = new ArrayList<>();
        for (JsonNode o : objects) {
            String uid = o.at("/metadata/uid").asText();
            String generation = o.at("/metadata/generation").asText();
            String subject = o.path("kind").asText() + "/" + o.at("/metadata/namespace").asText() + "/"
                    + o.at("/metadata/name").asText();
            events.stream()
                    .filter(e -> INVALID_CONFIG.equals(e.path("reason").asText()) && "Warning".equals(e.path("type").asText()))
                    .filter(e -> !uid.isEmpty() && uid.equals(e.at("/regarding/uid").asText()))
                    .filter(e -> {
                        JsonNode at = e.at("/metadata/annotations").path(GENERATION_ANNOTATION);
                        return at.isMissingNode() || at.asText().equals(generation);
                    })
                    .map(e -> e.path("note").asText())
                    .distinct()
                    .forEach(note -> out.add(Finding.fail("notification", subject + ": " + INVALID_CONFIG + ": " + note)));
        }
        if (out.isEmpty()) {
            out.add(Finding.ok("notification", objects.size() + " Providers and Alerts usable"));
        }
        return out;
    }

    /**
     * Reads the cluster and runs every check above.
     *
     * @param expected   CRD name → served versions Conflux installs, or null when unknown (CRD check left out)
     * @param stallGrace the margin beyond interval + timeout after which a pending object is listed as stalled
     * @return the findings; a cluster that cannot be reached is one failure
     */
    public static List<Finding> run(KubernetesClient client, Map<String, List<String>> expected, Duration stallGrace) {
        List<Finding> out = new ArrayList<>();
        List<CustomResourceDefinition> crds;
        try {
            crds = client.apiextensions().v1().customResourceDefinitions().list().getItems();
            out.add(Finding.ok("cluster", "reachable at " + client.getMasterUrl()));
        } catch (KubernetesClientException e) {
            out.add(Finding.fail("cluster", "cannot reach " + client.getMasterUrl() + ": " + e.getMessage()));
            return out;
        }
        if (expected != null) {
            out.addAll(crds(expected, crds));
        } else {
            out.add(Finding.warn("crds", "Conflux's CRD list (deploy/crds) not found: run from the checkout"));
        }
        List<String> present = crds.stream().map(c -> c.getMetadata().getName()).toList();
        List<JsonNode> objects = new ArrayList<>();
        List<JsonNode> staticObjects = new ArrayList<>();
        List<JsonNode> kustomizations = new ArrayList<>();
        for (ResourceDefinitionContext kind : FLUX_KINDS) {
            if (!present.contains(kind.getPlural() + "." + kind.getGroup())) {
                continue;
            }
            for (GenericKubernetesResource o : client.genericKubernetesResources(kind).inAnyNamespace().list()
                    .getItems()) {
                JsonNode json = JSON.convertValue(o, JsonNode.class);
                (STATIC_KINDS.contains(kind.getKind()) ? staticObjects : objects).add(json);
                if ("Kustomization".equals(kind.getKind())) {
                    kustomizations.add(json);
                }
            }
        }
        List<Deployment> controllers = client.apps().deployments().inAnyNamespace()
                .withLabel("app.kubernetes.io/part-of", "flux").list().getItems();
        out.addAll(fluxControllers(controllers, kustomizations));
        out.addAll(notReady(objects, Instant.now(), stallGrace));
        if (!staticObjects.isEmpty()) {
            List<JsonNode> events;
            try {
                events = client.genericKubernetesResources("events.k8s.io/v1", "Event").inAnyNamespace()
                        .list().getItems().stream().map(e -> JSON.convertValue(e, JsonNode.class)).toList();
            } catch (KubernetesClientException e) {
                out.add(Finding.warn("notification", "cannot list Events to check Providers and Alerts: " + e.getMessage()));
                return out;
            }
            out.addAll(invalidConfig(staticObjects, events));
        }
        return out;
    }
}

package io.conflux.renderer.source;

import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.meta.CrossNamespaceObjectReference;
import io.conflux.model.meta.FluxReasons;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.Artifact;
import io.conflux.model.source.ArtifactGenerator;
import io.conflux.model.source.ArtifactGeneratorStatus;
import io.conflux.model.source.ExternalArtifact;
import io.conflux.model.source.ExternalArtifactSpec;
import io.conflux.service.StatusPatcher;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jboss.logging.Logger;

/**
 * The cluster side of Flux's source-watcher ({@code reconcileExternalArtifact}, the generator's status), as the
 * renderer writes it: each generated {@link ExternalArtifact} is applied (server-side, field manager
 * {@value #FIELD_MANAGER}) with {@code spec.sourceRef} naming its generator, the labels {@code
 * app.kubernetes.io/managed-by} and {@code source.extensions.fluxcd.io/generator} (the generator's UID) over
 * {@code spec.commonMetadata}, and its status written ({@code artifact}, {@code Ready=True Succeeded "Artifact is
 * ready"}) through {@link StatusPatcher}; the {@link ArtifactGenerator}'s status gets its {@code inventory},
 * {@code observedSourcesDigest}, {@code lastHandledReconcileAt} and {@code Ready}/{@code Stalled}. Flux's
 * source-watcher keeps no owner reference on its ExternalArtifacts (it garbage-collects them by inventory and
 * finalizer); neither does Conflux: {@link #delete} removes those of a deleted generator. Blocking (fabric8 calls).
 */
public final class GeneratedArtifacts {
    private static final Logger LOG = Logger.getLogger(GeneratedArtifacts.class);
    /** The field manager of the ExternalArtifacts Conflux applies, and their {@code app.kubernetes.io/managed-by}. */
    public static final String FIELD_MANAGER = "conflux-renderer";
    /** Flux's {@code StalledCondition}. */
    static final String STALLED = "Stalled";

    private final KubernetesClient client;
    private final StatusPatcher status;

    /**
     * @param client the management cluster
     * @param status writes status subresources
     */
    public GeneratedArtifacts(KubernetesClient client, StatusPatcher status) {
        this.client = client;
        this.status = status;
    }

    /**
     * Applies ExternalArtifact {@code generator.namespace/name} and writes its status, unless both already say so.
     *
     * @param artifact the artifact for its status
     * @return the object's key
     * @throws KubernetesClientException when the apply or the status patch is refused or keeps failing
     */
    public ObjectKey apply(ArtifactGenerator generator, String name, Artifact artifact) {
        String ns = generator.getMetadata().getNamespace();
        ObjectKey key = new ObjectKey(ExternalArtifact.KIND, ns, name);
        Map<String, String> labels = new LinkedHashMap<>();
        Map<String, String> annotations = null;
        var common = generator.getSpec().commonMetadata();
        if (common != null) {
            if (common.labels() != null) {
                labels.putAll(common.labels());
            }
            if (common.annotations() != null && !common.annotations().isEmpty()) {
                annotations = new LinkedHashMap<>(common.annotations());
            }
        }
        labels.put("app.kubernetes.io/managed-by", FIELD_MANAGER);
        labels.put(ArtifactGenerator.GENERATOR_LABEL, generator.getMetadata().getUid() == null ? ""
                : generator.getMetadata().getUid());
        ExternalArtifactSpec spec = new ExternalArtifactSpec(new CrossNamespaceObjectReference(ArtifactGenerator.API_VERSION,
                ArtifactGenerator.KIND, generator.getMetadata().getName(), ns));
        ExternalArtifact current = client.resources(ExternalArtifact.class).inNamespace(ns).withName(name).get();
        if (current == null || !spec.equals(current.getSpec()) || !labels.equals(subset(current.getMetadata().getLabels(), labels))
                || annotations != null && !annotations.equals(subset(current.getMetadata().getAnnotations(), annotations))) {
            ExternalArtifact desired = new ExternalArtifact();
            desired.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).withLabels(labels)
                    .withAnnotations(annotations).build());
            desired.setSpec(spec);
            client.resources(ExternalArtifact.class).inNamespace(ns).resource(desired).fieldManager(FIELD_MANAGER)
                    .forceConflicts().serverSideApply();
            current = client.resources(ExternalArtifact.class).inNamespace(ns).withName(name).get();
        }
        Artifact shown = current == null || current.getStatus() == null ? null : current.getStatus().artifact();
        boolean ready = current != null && current.getStatus() != null
                && Conditions.isReady(current.getStatus().conditions(), null);
        if (!ready || shown == null || !Objects.equals(shown.revision(), artifact.revision())
                || !Objects.equals(shown.digest(), artifact.digest()) || !Objects.equals(shown.metadata(), artifact.metadata())) {
            long generation = current == null || current.getMetadata().getGeneration() == null ? 1
                    : current.getMetadata().getGeneration();
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("artifact", artifact(artifact));
            fields.put("conditions", List.of(Conditions.ready(true, generation, FluxReasons.SUCCEEDED, "Artifact is ready")));
            status.patch(key, fields);
        }
        return key;
    }

    /**
     * Writes the generator's status after a successful generation: {@code Ready=True Succeeded} "reconciliation
     * succeeded, generated N artifact(s)", no {@code Stalled}, the inventory and sources digest.
     */
    public void succeeded(ArtifactGenerator generator, List<ArtifactGeneratorStatus.InventoryEntry> inventory,
                          String sourcesDigest) {
        Map<String, Object> fields = new LinkedHashMap<>();
        List<Condition> conditions = conditions(generator);
        conditions.removeIf(c -> STALLED.equals(c.type()) || Condition.RECONCILING.equals(c.type()));
        fields.put("conditions", Conditions.set(conditions, Conditions.ready(true, generation(generator),
                FluxReasons.SUCCEEDED, "reconciliation succeeded, generated " + inventory.size() + " artifact(s)")));
        fields.put("inventory", inventory);
        fields.put("observedSourcesDigest", sourcesDigest);
        handled(generator, fields);
        patch(generator, fields);
    }

    /**
     * Writes a failed generation: {@code Ready=False} with Flux's {@code reason} and the message; a terminal one
     * ({@code stalled}: an invalid spec) also {@code Stalled=True}. The inventory is kept: the ExternalArtifacts keep
     * serving their last artifact, as in Flux.
     */
    public void failed(ArtifactGenerator generator, String reason, String message, boolean stalled) {
        LOG.warnf("ArtifactGenerator %s/%s: %s: %s", generator.getMetadata().getNamespace(),
                generator.getMetadata().getName(), reason, message);
        List<Condition> conditions = conditions(generator);
        conditions.removeIf(c -> STALLED.equals(c.type()) || Condition.RECONCILING.equals(c.type()));
        long generation = generation(generator);
        if (stalled) {
            conditions = Conditions.set(conditions, new Condition(STALLED, "True", generation, Conditions.now(), reason, message));
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("conditions", Conditions.set(conditions, Conditions.ready(false, generation, reason, message)));
        handled(generator, fields);
        patch(generator, fields);
    }

    /** Deletes ExternalArtifact {@code namespace/name} (gone already is fine). */
    public void delete(String namespace, String name) {
        try {
            client.resources(ExternalArtifact.class).inNamespace(namespace).withName(name).delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    private void handled(ArtifactGenerator generator, Map<String, Object> fields) {
        Map<String, String> a = generator.getMetadata().getAnnotations();
        String requested = a == null ? null : a.get("reconcile.fluxcd.io/requestedAt");
        if (requested != null) {
            fields.put("lastHandledReconcileAt", requested);
        }
    }

    private void patch(ArtifactGenerator generator, Map<String, Object> fields) {
        ObjectKey key = new ObjectKey(ArtifactGenerator.KIND, generator.getMetadata().getNamespace(),
                generator.getMetadata().getName());
        try {
            if (!status.patch(key, fields)) {
                LOG.debugf("status of %s not written: it is gone", key);
            }
        } catch (KubernetesClientException e) {
            LOG.warnf("status of %s not written: %s", key, e.getMessage());
        }
    }

    private static List<Condition> conditions(ArtifactGenerator g) {
        return g.getStatus() == null || g.getStatus().conditions() == null ? new java.util.ArrayList<>()
                : new java.util.ArrayList<>(g.getStatus().conditions());
    }

    private static long generation(ArtifactGenerator g) {
        Long gen = g.getMetadata().getGeneration();
        return gen == null ? 0 : gen;
    }

    private static Map<String, String> subset(Map<String, String> actual, Map<String, String> wanted) {
        Map<String, String> out = new LinkedHashMap<>();
        if (actual != null) {
            wanted.keySet().forEach(k -> {
                if (actual.containsKey(k)) {
                    out.put(k, actual.get(k));
                }
            });
        }
        return out;
    }

    private static Map<String, Object> artifact(Artifact a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("revision", a.revision());
        m.put("digest", a.digest());
        m.put("lastUpdateTime", a.lastUpdateTime());
        m.put("url", a.url());
        m.put("path", a.path());
        m.put("metadata", a.metadata());
        return m;
    }
}

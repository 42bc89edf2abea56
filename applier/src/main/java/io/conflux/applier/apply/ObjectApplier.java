package io.conflux.applier.apply;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.conflux.model.kustomize.Kustomization;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NamespaceableResource;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Applies a bundle to one cluster the way kustomize-controller does with {@code github.com/fluxcd/pkg/ssa}:
 * server-side apply with a field manager and forced conflicts, CustomResourceDefinitions and Namespaces first, then
 * class objects ({@code *Class} kinds), then the rest — with {@link ApplyOptions#waitForDefinitions()}, each of the
 * first two stages followed by a wait until its objects are Current ({@code ApplyAllStaged}), so a bundle holding a
 * CRD and its custom resources applies in one go — owner labels
 * {@code kustomize.toolkit.fluxcd.io/name|namespace} on every object, the {@code kustomize.toolkit.fluxcd.io/ssa}
 * annotation ({@code Ignore}, {@code IfNotPresent}, {@code Merge}) honoured; then prunes the objects of the previous
 * inventory that left the bundle, Namespaces last — only objects still labelled as this owner's, and not annotated
 * {@code kustomize.toolkit.fluxcd.io/prune: disabled} or {@code kustomize.toolkit.fluxcd.io/reconcile: disabled}
 * (ssa's {@code DeleteAll} with kustomize-controller's inclusions and exclusions); the others are reported
 * {@code skipped}. With {@link ApplyOptions#helmCrds()} (a Helm release), the CRD policy applies and CRDs and
 * {@code helm.sh/resource-policy: keep} objects are never pruned.
 * <ul>
 *   <li>Before an existing object is applied, kubectl's field managers are taken over ({@link FieldManagerTakeover}),
 *       unless it is annotated {@code kustomize.toolkit.fluxcd.io/ssa: Merge}.</li>
 *   <li>When the API server refuses the apply because an immutable field changed ({@code 422 Invalid},
 *       {@code 409 Conflict}, or a message saying {@code is immutable}/{@code immutable field}, as
 *       {@code ssa/errors.IsImmutableError} decides) and {@code force} is set or the object (manifest or cluster) is
 *       annotated {@code kustomize.toolkit.fluxcd.io/force: enabled}, the object is deleted (background propagation),
 *       awaited until gone, and created anew; otherwise the apply fails with the API server's message.</li>
 *   <li>Objects annotated {@code kustomize.toolkit.fluxcd.io/ssa: Ignore} or
 *       {@code kustomize.toolkit.fluxcd.io/reconcile: disabled} in the manifest or in the cluster are skipped.</li>
 * </ul>
 * Blocking: call from a worker thread.
 */
public final class ObjectApplier {
    /** fabric8's JSON (de)serialization of Kubernetes objects, for tree conversions. */
    private static final KubernetesSerialization KUBERNETES_JSON = new KubernetesSerialization();
    private static final String CRD = "CustomResourceDefinition";
    private static final Set<String> FIRST_KINDS = Set.of(CRD, "Namespace");
    /** Helm's annotation {@code helm.sh/resource-policy}: {@code keep} leaves the object when the release lets go of it. */
    public static final String HELM_RESOURCE_POLICY = "helm.sh/resource-policy";
    /** Annotation {@code kustomize.toolkit.fluxcd.io/force: enabled}: recreate this object on immutable changes. */
    public static final String FORCE_ANNOTATION = Kustomization.GROUP + "/force";
    private static final java.util.regex.Pattern IMMUTABLE = java.util.regex.Pattern.compile(".*(is\\simmutable|immutable\\sfield).*",
            java.util.regex.Pattern.DOTALL);

    /** How deep the drift of a configured object is named ({@code spec.template.spec} is three levels). */
    private static final int MAX_DEPTH = 4;
    /** How many drifted paths are named per object. */
    private static final int MAX_FIELDS = 10;

    private final KubernetesClient client;
    private final String fieldManager;
    private final ScopeResolver scopes;

    /**
     * @param client       the target cluster
     * @param fieldManager the server-side apply field manager, e.g. {@code conflux}
     */
    public ObjectApplier(KubernetesClient client, String fieldManager) {
        this.client = client;
        this.fieldManager = fieldManager;
        this.scopes = new ScopeResolver(client);
    }

    /**
     * @param objects     the bundle's objects (JSON trees), in bundle order
     * @param ownerLabels labels added to every object (Flux's owner labels)
     * @param previous    the inventory of the last successful apply
     * @param prune       whether objects that left the bundle are deleted
     * @return the change set and the new inventory; a failure stops at the failing object and names it
     */
    public ApplyResult apply(List<Map<String, Object>> objects, Map<String, String> ownerLabels,
                             List<InventoryEntry> previous, boolean prune) {
        return apply(objects, ownerLabels, previous, new ApplyOptions(prune, false, java.time.Duration.ZERO));
    }

    /**
     * @param objects     the bundle's objects (JSON trees), in bundle order
     * @param ownerLabels labels added to every object (Flux's owner labels)
     * @param previous    the inventory of the last successful apply
     * @param options     prune, force and the wait for recreated objects
     * @return the change set and the new inventory; a failure stops at the failing object and names it, and nothing
     *         is pruned after a failure
     */
    public ApplyResult apply(List<Map<String, Object>> objects, Map<String, String> ownerLabels,
                             List<InventoryEntry> previous, ApplyOptions options) {
        boolean prune = options.prune();
        List<Map<String, Object>> definitions = new ArrayList<>();
        List<Map<String, Object>> classes = new ArrayList<>();
        List<Map<String, Object>> others = new ArrayList<>();
        for (Map<String, Object> object : objects) {
            String kind = String.valueOf(object.get("kind"));
            if (options.helmCrds() == CrdPolicy.SKIP && CRD.equals(kind)) {
                continue;
            }
            (FIRST_KINDS.contains(kind) ? definitions : isClass(kind) ? classes : others).add(object);
        }
        List<Change> changes = new ArrayList<>();
        Set<InventoryEntry> applied = new LinkedHashSet<>();
        List<List<Map<String, Object>>> stages = List.of(definitions, classes, others);
        String failure = null;
        for (int i = 0; i < stages.size() && failure == null; i++) {
            List<Map<String, Object>> stage = stages.get(i);
            failure = applyAll(stage, ownerLabels, options, changes, applied);
            boolean last = i == stages.size() - 1;
            if (failure == null && !last && options.waitForDefinitions() && !stage.isEmpty()) {
                failure = awaitStage(stage, applied, options);
            }
        }
        if (failure != null) {
            Set<InventoryEntry> kept = new LinkedHashSet<>(previous);
            kept.addAll(applied);
            return ApplyResult.of(changes, List.copyOf(kept), failure);
        }
        if (prune) {
            Set<String> current = new LinkedHashSet<>();
            applied.forEach(e -> current.add(e.id()));
            List<InventoryEntry> stale = new ArrayList<>(previous.stream().filter(e -> !current.contains(e.id())).toList());
            stale.sort(Comparator.comparingInt(e -> "Namespace".equals(e.kind()) && e.group().isEmpty() ? 1 : 0));
            for (InventoryEntry e : stale) {
                try {
                    Change.Action action = pruneOne(e, ownerLabels, options.helm());
                    if (action != null) {
                        changes.add(new Change(e.subject(), action));
                    }
                } catch (KubernetesClientException e2) {
                    Set<InventoryEntry> kept = new LinkedHashSet<>(applied);
                    kept.addAll(stale);
                    return ApplyResult.of(changes, List.copyOf(kept), e.subject() + " prune failed: " + message(e2));
                }
            }
        }
        return ApplyResult.of(changes, List.copyOf(applied), null);
    }

    /**
     * Applies {@code stage} in order, adding to {@code changes} and {@code applied}; a CustomResourceDefinition teaches
     * the scope resolver its kind.
     *
     * @return null, or the failure naming the object (the objects after it are not applied)
     */
    private String applyAll(List<Map<String, Object>> stage, Map<String, String> ownerLabels, ApplyOptions options,
                            List<Change> changes, Set<InventoryEntry> applied) {
        for (Map<String, Object> object : stage) {
            String subject = object.get("kind") + "/" + name(object);
            try {
                GenericKubernetesResource resource = normalize(object, ownerLabels);
                InventoryEntry entry = InventoryEntry.of(resource.getApiVersion(), resource.getKind(),
                        resource.getMetadata().getNamespace(), resource.getMetadata().getName());
                subject = entry.subject();
                changes.add(applyOne(subject, resource, options));
                applied.add(entry);
                scopes.learn(object);
            } catch (KubernetesClientException | IllegalStateException | IllegalArgumentException e) {
                return subject + " apply failed: " + SecretRedaction.redact(message(e), object);
            }
        }
        return null;
    }

    /**
     * kustomize-controller's wait between its stages ({@code WaitForSet} on the stage's objects, polling every
     * {@code options.pollInterval()} up to {@code options.waitTimeout()}): every object of the stage must be Current —
     * a CRD {@code Established=True}, a Namespace not terminating, a class object present — before the next stage is
     * applied. Objects the manifest excludes ({@code ssa: Ignore}, {@code reconcile: disabled}) are not waited for.
     *
     * @param stage   the stage's objects as the bundle holds them
     * @param applied every object applied so far
     * @return null, or Flux's {@code timeout waiting for: [...]} message
     */
    private String awaitStage(List<Map<String, Object>> stage, Set<InventoryEntry> applied, ApplyOptions options) {
        Set<String> inStage = new LinkedHashSet<>();
        Set<String> excluded = new LinkedHashSet<>();
        for (Map<String, Object> object : stage) {
            GenericKubernetesResource r = KUBERNETES_JSON.convertValue(object, GenericKubernetesResource.class);
            String id = r.getKind() + "/" + r.getMetadata().getName();
            inStage.add(id);
            if (excluded(r)) {
                excluded.add(id);
            }
        }
        inStage.removeAll(excluded);
        List<InventoryEntry> waited = applied.stream().filter(e -> inStage.contains(e.kind() + "/" + e.name())).toList();
        return new HealthChecker(client, options.pollInterval()).await(waited, options.waitTimeout()).orElse(null);
    }

    /**
     * @return whether {@code kind} is a Kubernetes class type (RuntimeClass, PriorityClass, StorageClass,
     *         IngressClass, GatewayClass, ClusterClass, …), applied by Flux's {@code ApplyAllStaged} in a stage of
     *         their own after the definitions and before everything else, since other objects name them
     */
    static boolean isClass(String kind) {
        return kind.endsWith("Class");
    }

    private GenericKubernetesResource normalize(Map<String, Object> object, Map<String, String> ownerLabels) {
        GenericKubernetesResource r = KUBERNETES_JSON.convertValue(object, GenericKubernetesResource.class);
        if (r.getApiVersion() == null || r.getKind() == null || r.getMetadata() == null || r.getMetadata().getName() == null) {
            throw new IllegalArgumentException("object without apiVersion, kind or metadata.name");
        }
        if (scopes.namespaced(r.getApiVersion(), r.getKind())) {
            if (r.getMetadata().getNamespace() == null || r.getMetadata().getNamespace().isEmpty()) {
                r.getMetadata().setNamespace(client.getNamespace() == null ? "default" : client.getNamespace());
            }
        } else {
            r.getMetadata().setNamespace(null);
        }
        Map<String, String> labels = new LinkedHashMap<>();
        if (r.getMetadata().getLabels() != null) {
            labels.putAll(r.getMetadata().getLabels());
        }
        labels.putAll(ownerLabels);
        r.getMetadata().setLabels(labels);
        return r;
    }

    private static List<String> append(List<String> list, String last) {
        List<String> out = new ArrayList<>(list);
        out.add(last);
        return List.copyOf(out);
    }

    /**
     * Collects the paths where {@code before} and {@code after} differ, descending into objects up to
     * {@value #MAX_DEPTH} levels (lists and deeper objects are reported as one path).
     */
    private static void differences(Object before, Object after, String path, int depth, List<String> out) {
        if (Objects.equals(before, after)) {
            return;
        }
        if (before instanceof Map<?, ?> b && after instanceof Map<?, ?> a && depth < MAX_DEPTH) {
            Set<Object> keys = new LinkedHashSet<>(b.keySet());
            keys.addAll(a.keySet());
            for (Object key : keys) {
                differences(b.get(key), a.get(key), path.isEmpty() ? String.valueOf(key) : path + "." + key, depth + 1, out);
            }
            return;
        }
        out.add(path.isEmpty() ? "." : path);
    }

    /** @return the change applying {@code desired} made, with the drifted fields when it configured the object */
    private Change applyOne(String subject, GenericKubernetesResource desired, ApplyOptions options) {
        NamespaceableResource<GenericKubernetesResource> op = client.resource(desired);
        Resource<GenericKubernetesResource> target = desired.getMetadata().getNamespace() == null ? op
                : op.inNamespace(desired.getMetadata().getNamespace());
        GenericKubernetesResource existing = target.get();
        if (excluded(desired) || excluded(existing)
                || ("IfNotPresent".equalsIgnoreCase(annotation(desired, Kustomization.SSA_ANNOTATION)) && existing != null)
                || (existing != null && options.helmCrds() == CrdPolicy.CREATE && CRD.equals(desired.getKind()))) {
            return new Change(subject, Change.Action.UNCHANGED);
        }
        if (existing != null && !FieldManagerTakeover.merges(desired) && !FieldManagerTakeover.merges(existing)) {
            FieldManagerTakeover.patch(existing, fieldManager).ifPresent(ops -> target.patch(
                    new PatchContext.Builder().withPatchType(PatchType.JSON).withFieldManager(fieldManager).build(),
                    Serialization.asJson(ops)));
        }
        HasMetadata result;
        try {
            result = target.fieldManager(fieldManager).forceConflicts().serverSideApply();
        } catch (KubernetesClientException e) {
            if (existing == null || !immutable(e) || !(options.force() || forced(desired) || forced(existing))) {
                throw e;
            }
            target.withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
            target.waitUntilCondition(java.util.Objects::isNull, Math.max(1, options.waitTimeout().toMillis()),
                    java.util.concurrent.TimeUnit.MILLISECONDS);
            target.fieldManager(fieldManager).forceConflicts().serverSideApply();
            return new Change(subject, Change.Action.CREATED);
        }
        if (existing == null) {
            return new Change(subject, Change.Action.CREATED);
        }
        Map<String, Object> before = comparable(existing);
        Map<String, Object> after = comparable(result);
        if (before.equals(after)) {
            return new Change(subject, Change.Action.UNCHANGED);
        }
        List<String> fields = new ArrayList<>();
        differences(before, after, "", 0, fields);
        return new Change(subject, Change.Action.CONFIGURED, fields.size() > MAX_FIELDS
                ? append(fields.subList(0, MAX_FIELDS), "…") : List.copyOf(fields));
    }

    /** Flux's {@code ssa/errors.IsImmutableError}: Invalid or Conflict, or an immutable-field message (CEL, webhooks). */
    static boolean immutable(KubernetesClientException e) {
        String message = message(e);
        return e.getCode() == 422 || e.getCode() == 409 || IMMUTABLE.matcher(message).matches();
    }

    private static boolean excluded(HasMetadata o) {
        return o != null && ("Ignore".equalsIgnoreCase(annotation(o, Kustomization.SSA_ANNOTATION))
                || "disabled".equalsIgnoreCase(annotation(o, Kustomization.RECONCILE_ANNOTATION)));
    }

    private static boolean forced(HasMetadata o) {
        return "enabled".equalsIgnoreCase(annotation(o, FORCE_ANNOTATION));
    }

    /**
     * Deletes one object that left the bundle, as {@code ssa.ResourceManager.DeleteAll} does for kustomize-controller:
     * only when the live object still carries every owner label with this owner's value (its {@code Inclusions});
     * an object another Kustomization (or HelmRelease) took over, or one annotated or labelled
     * {@code kustomize.toolkit.fluxcd.io/prune: disabled} or {@code kustomize.toolkit.fluxcd.io/reconcile: disabled}
     * (its {@code Exclusions}), is skipped.
     *
     * With {@code helm} (a Helm release's prune or uninstall), CustomResourceDefinitions and objects annotated
     * {@code helm.sh/resource-policy: keep} are skipped too, as Helm never deletes them.
     *
     * @return {@code DELETED}, {@code SKIPPED}, or null when the object is already gone
     */
    private Change.Action pruneOne(InventoryEntry e, Map<String, String> ownerLabels, boolean helm) {
        var kind = client.genericKubernetesResources(e.apiVersion(), e.kind());
        Resource<GenericKubernetesResource> target = e.namespace().isEmpty() ? kind.withName(e.name())
                : kind.inNamespace(e.namespace()).withName(e.name());
        GenericKubernetesResource live = target.get();
        if (live == null) {
            return null;
        }
        if (helm && (CRD.equals(e.kind()) || "keep".equals(annotation(live, HELM_RESOURCE_POLICY)))) {
            return Change.Action.SKIPPED;
        }
        if (!ownedBy(live, ownerLabels) || inMetadata(live, Kustomization.PRUNE_ANNOTATION, "disabled")
                || inMetadata(live, Kustomization.RECONCILE_ANNOTATION, "disabled")) {
            return Change.Action.SKIPPED;
        }
        target.delete();
        return Change.Action.DELETED;
    }

    /** @return whether {@code o} carries every one of {@code ownerLabels} with the same value */
    private static boolean ownedBy(HasMetadata o, Map<String, String> ownerLabels) {
        Map<String, String> labels = o.getMetadata().getLabels() == null ? Map.of() : o.getMetadata().getLabels();
        return ownerLabels.entrySet().stream().allMatch(l -> l.getValue().equals(labels.get(l.getKey())));
    }

    /** @return whether {@code o} has {@code key: value} (value case-insensitive) as an annotation or a label */
    private static boolean inMetadata(HasMetadata o, String key, String value) {
        Map<String, String> labels = o.getMetadata().getLabels();
        return value.equalsIgnoreCase(annotation(o, key)) || (labels != null && value.equalsIgnoreCase(labels.get(key)));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> comparable(HasMetadata o) {
        Map<String, Object> tree = new LinkedHashMap<>(KUBERNETES_JSON.convertValue(o, Map.class));
        tree.remove("status");
        Object metadata = tree.get("metadata");
        if (metadata instanceof Map<?, ?> m) {
            Map<String, Object> meta = new LinkedHashMap<>((Map<String, Object>) m);
            for (String volatileField : List.of("resourceVersion", "managedFields", "generation", "creationTimestamp", "uid")) {
                meta.remove(volatileField);
            }
            tree.put("metadata", meta);
        }
        return tree;
    }

    private static String annotation(HasMetadata o, String key) {
        Map<String, String> a = o.getMetadata() == null ? null : o.getMetadata().getAnnotations();
        return a == null ? null : a.get(key);
    }

    private static String name(Map<String, Object> object) {
        Object metadata = object.get("metadata");
        if (metadata instanceof Map<?, ?> m) {
            Object ns = m.get("namespace");
            return (ns == null ? "" : ns + "/") + m.get("name");
        }
        return "?";
    }

    private static String message(Exception e) {
        if (e instanceof KubernetesClientException k && k.getStatus() != null && k.getStatus().getMessage() != null) {
            return k.getStatus().getMessage();
        }
        return Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName());
    }
}

package io.conflux.applier.apply;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * kustomize-controller's metadata cleanup before server-side apply ({@code ssa.ApplyCleanupOptions} of
 * {@code github.com/fluxcd/pkg/ssa}): on an object that already exists, the {@code managedFields} entries of
 * kubectl's managers — {@code kubectl*} with operation {@code Apply} or {@code Update} (this covers
 * {@code kubectl-client-side-apply}, {@code kubectl-edit}, {@code kubectl-patch}), {@code before-first-apply}
 * ({@code Update}) and the applier's own manager with {@code Update} — are handed to the applier's manager as
 * {@code Apply}, and kubectl's {@code kubectl.kubernetes.io/last-applied-configuration} annotation and Flux v1's
 * {@code kustomize.toolkit.fluxcd.io/checksum}, {@code fluxcd.io/sync-checksum} annotations and
 * {@code fluxcd.io/sync-gc-mark} label are removed. The applier then owns those fields, so the apply that follows
 * removes whatever kubectl set that the manifest does not declare: Git is the source of truth.
 *
 * <p>Objects annotated {@code kustomize.toolkit.fluxcd.io/ssa: Merge} (in the manifest or in the cluster) are left
 * alone: fields set by other managers are kept next to the applied ones (Flux's shared ownership with kubectl).
 */
public final class FieldManagerTakeover {
    /** The annotation value that keeps other managers' fields ({@code kustomize.toolkit.fluxcd.io/ssa: Merge}). */
    public static final String MERGE = "Merge";

    private static final List<String> ANNOTATIONS = List.of("kubectl.kubernetes.io/last-applied-configuration",
            "kustomize.toolkit.fluxcd.io/checksum", "fluxcd.io/sync-checksum");
    private static final List<String> LABELS = List.of("fluxcd.io/sync-gc-mark");

    private FieldManagerTakeover() {
    }

    /** A {@code managedFields} manager matched by name prefix and operation, as Flux's {@code ssa.FieldManager}. */
    private record Manager(String prefix, String operation) {
        boolean matches(Map<?, ?> entry) {
            return String.valueOf(entry.get("manager")).startsWith(prefix) && operation.equals(entry.get("operation"))
                    && (entry.get("subresource") == null || "".equals(entry.get("subresource")));
        }
    }

    /**
     * @param existing     the object in the cluster
     * @param fieldManager the applier's field manager
     * @return the JSON patch (RFC 6902 operations) to send before applying, or empty when nothing needs cleaning
     */
    @SuppressWarnings("unchecked")
    public static Optional<List<Map<String, Object>>> patch(HasMetadata existing, String fieldManager) {
        List<Map<String, Object>> ops = new ArrayList<>();
        var meta = existing.getMetadata();
        for (String key : ANNOTATIONS) {
            if (meta.getAnnotations() != null && meta.getAnnotations().containsKey(key)) {
                ops.add(Map.of("op", "remove", "path", "/metadata/annotations/" + escape(key)));
            }
        }
        for (String key : LABELS) {
            if (meta.getLabels() != null && meta.getLabels().containsKey(key)) {
                ops.add(Map.of("op", "remove", "path", "/metadata/labels/" + escape(key)));
            }
        }
        List<Manager> managers = List.of(new Manager("kubectl", "Apply"), new Manager("kubectl", "Update"),
                new Manager("before-first-apply", "Update"), new Manager(fieldManager, "Update"));
        List<Map<String, Object>> entries = meta.getManagedFields() == null ? List.of()
                : Serialization.unmarshal(Serialization.asJson(meta.getManagedFields()), List.class);
        List<Map<String, Object>> rewritten = new ArrayList<>();
        Map<String, Object> mine = null;
        boolean renamed = false;
        for (Map<String, Object> entry : entries) {
            boolean takeOver = managers.stream().anyMatch(m -> m.matches(entry));
            boolean ownApply = fieldManager.equals(entry.get("manager")) && "Apply".equals(entry.get("operation"))
                    && entry.get("subresource") == null;
            if (!takeOver && !ownApply) {
                rewritten.add(entry);
                continue;
            }
            renamed |= takeOver;
            if (mine == null) {
                mine = new LinkedHashMap<>(entry);
                mine.put("manager", fieldManager);
                mine.put("operation", "Apply");
                rewritten.add(mine);
            } else {
                mine.put("fieldsV1", union((Map<String, Object>) mine.get("fieldsV1"), (Map<String, Object>) entry.get("fieldsV1")));
            }
        }
        if (renamed) {
            ops.add(Map.of("op", "replace", "path", "/metadata/managedFields", "value", rewritten));
        }
        return ops.isEmpty() ? Optional.empty() : Optional.of(ops);
    }

    /** @return whether the object opts out of the takeover ({@code kustomize.toolkit.fluxcd.io/ssa: Merge}) */
    public static boolean merges(HasMetadata object) {
        Map<String, String> a = object == null || object.getMetadata() == null ? null : object.getMetadata().getAnnotations();
        return a != null && MERGE.equalsIgnoreCase(a.get(io.conflux.model.kustomize.Kustomization.SSA_ANNOTATION));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> union(Map<String, Object> a, Map<String, Object> b) {
        Map<String, Object> out = new LinkedHashMap<>(a == null ? Map.of() : a);
        if (b != null) {
            b.forEach((k, v) -> out.merge(k, v, (x, y) -> x instanceof Map<?, ?> mx && y instanceof Map<?, ?> my
                    ? union((Map<String, Object>) mx, (Map<String, Object>) my) : y));
        }
        return out;
    }

    private static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }
}

package io.conflux.cli.check;

import io.conflux.model.fields.FieldSupport;
import io.conflux.model.fields.UnsupportedField;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Where {@code conflux check} reports the Flux fields Conflux does not act on (issue #13, "nothing ignored in
 * silence"): every object of every Flux kind whose CRD the cluster serves ({@link ClusterChecks#FLUX_KINDS}) is run
 * through {@link FieldSupport#unsupported}, the detector the notifier's {@code UnsupportedField} Warning events use, so
 * both name the same fields for the same reasons. A field Conflux does not act on is a warning, not a failure: the
 * object may still work, only without that field's effect.
 */
public final class UnsupportedFields {
    /** The area of this check's findings. */
    public static final String AREA = "unsupported-fields";

    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    private UnsupportedFields() {
    }

    /**
     * @return one {@link Finding#warn} per object and field Conflux does not act on
     *         ({@code <Kind>/<ns>/<name>: <field> (<reason>)}), in the order of the kinds then by namespace and name;
     *         one {@link Finding#ok} when there is none; nothing when the cluster cannot be reached (the cluster
     *         check already fails then)
     */
    public static List<Finding> check(KubernetesClient client) {
        Set<String> served;
        try {
            served = client.apiextensions().v1().customResourceDefinitions().list().getItems().stream()
                    .flatMap(crd -> crd.getSpec().getVersions().stream().filter(v -> Boolean.TRUE.equals(v.getServed()))
                            .map(v -> crd.getMetadata().getName() + "/" + v.getName()))
                    .collect(Collectors.toSet());
        } catch (KubernetesClientException e) {
            return List.of();
        }
        List<Finding> out = new ArrayList<>();
        int objects = 0;
        for (ResourceDefinitionContext kind : ClusterChecks.FLUX_KINDS) {
            if (!served.contains(kind.getPlural() + "." + kind.getGroup() + "/" + kind.getVersion())) {
                continue;
            }
            List<GenericKubernetesResource> items;
            try {
                items = new ArrayList<>(client.genericKubernetesResources(kind).inAnyNamespace().list().getItems());
            } catch (KubernetesClientException e) {
                out.add(Finding.warn(AREA, kind.getKind() + " objects not checked: cannot list them: " + e.getMessage()));
                continue;
            }
            items.sort(Comparator.comparing((GenericKubernetesResource o) -> String.valueOf(o.getMetadata().getNamespace()))
                    .thenComparing(o -> o.getMetadata().getName()));
            for (GenericKubernetesResource o : items) {
                objects++;
                @SuppressWarnings("unchecked")
                Map<String, Object> object = JSON.convertValue(o, Map.class);
                String subject = kind.getKind() + "/" + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
                for (UnsupportedField field : FieldSupport.unsupported(kind.getKind(), o.getApiVersion(), object)) {
                    out.add(Finding.warn(AREA, subject + ": " + field.describe()));
                }
            }
        }
        if (out.isEmpty()) {
            out.add(Finding.ok(AREA, objects + " Flux objects set only fields Conflux acts on"));
        }
        return out;
    }
}

package io.conflux.embedded;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The built-in Kubernetes kinds the in-memory API server advertises in discovery, by group/version. */
final class BuiltInKinds {

    /** One built-in resource type. */
    record Kind(String plural, String kind, boolean namespaced, List<String> shortNames) {
    }

    /** groupVersion ("v1", "apps/v1", ...) to kinds; "plural:Kind:n|c[:short,short]". */
    static final Map<String, List<Kind>> BY_GROUP_VERSION = new LinkedHashMap<>();

    static {
        add("v1", "pods:Pod:n:po", "services:Service:n:svc", "configmaps:ConfigMap:n:cm", "secrets:Secret:n",
            "namespaces:Namespace:c:ns", "serviceaccounts:ServiceAccount:n:sa",
            "persistentvolumeclaims:PersistentVolumeClaim:n:pvc", "persistentvolumes:PersistentVolume:c:pv",
            "nodes:Node:c:no", "endpoints:Endpoints:n:ep", "events:Event:n:ev", "limitranges:LimitRange:n:limits",
            "resourcequotas:ResourceQuota:n:quota", "replicationcontrollers:ReplicationController:n:rc",
            "podtemplates:PodTemplate:n");
        add("apps/v1", "deployments:Deployment:n:deploy", "statefulsets:StatefulSet:n:sts",
            "daemonsets:DaemonSet:n:ds", "replicasets:ReplicaSet:n:rs", "controllerrevisions:ControllerRevision:n");
        add("batch/v1", "jobs:Job:n", "cronjobs:CronJob:n:cj");
        add("rbac.authorization.k8s.io/v1", "roles:Role:n", "rolebindings:RoleBinding:n",
            "clusterroles:ClusterRole:c", "clusterrolebindings:ClusterRoleBinding:c");
        add("networking.k8s.io/v1", "ingresses:Ingress:n:ing", "networkpolicies:NetworkPolicy:n:netpol",
            "ingressclasses:IngressClass:c");
        add("policy/v1", "poddisruptionbudgets:PodDisruptionBudget:n:pdb");
        add("autoscaling/v2", "horizontalpodautoscalers:HorizontalPodAutoscaler:n:hpa");
        add("autoscaling/v1", "horizontalpodautoscalers:HorizontalPodAutoscaler:n:hpa");
        add("apiextensions.k8s.io/v1", "customresourcedefinitions:CustomResourceDefinition:c:crd,crds");
        add("storage.k8s.io/v1", "storageclasses:StorageClass:c:sc", "csidrivers:CSIDriver:c",
            "csinodes:CSINode:c", "volumeattachments:VolumeAttachment:c");
        add("scheduling.k8s.io/v1", "priorityclasses:PriorityClass:c:pc");
        add("admissionregistration.k8s.io/v1",
            "mutatingwebhookconfigurations:MutatingWebhookConfiguration:c",
            "validatingwebhookconfigurations:ValidatingWebhookConfiguration:c");
        add("coordination.k8s.io/v1", "leases:Lease:n");
        add("events.k8s.io/v1", "events:Event:n:ev");
        add("discovery.k8s.io/v1", "endpointslices:EndpointSlice:n");
        add("node.k8s.io/v1", "runtimeclasses:RuntimeClass:c");
        add("apiregistration.k8s.io/v1", "apiservices:APIService:c");
        add("certificates.k8s.io/v1", "certificatesigningrequests:CertificateSigningRequest:c:csr");
    }

    private BuiltInKinds() {
    }

    private static void add(String groupVersion, String... specs) {
        List<Kind> kinds = new java.util.ArrayList<>();
        for (String spec : specs) {
            String[] p = spec.split(":");
            kinds.add(new Kind(p[0], p[1], p[2].equals("n"), p.length > 3 ? List.of(p[3].split(",")) : List.of()));
        }
        BY_GROUP_VERSION.put(groupVersion, List.copyOf(kinds));
    }

    /** @return the kind of a built-in resource by its group and plural, empty when it is not built in */
    static java.util.Optional<String> kind(String group, String plural) {
        return find(group, plural).map(Kind::kind);
    }

    static boolean clusterScoped(String group, String plural) {
        return find(group, plural).map(k -> !k.namespaced()).orElse(false);
    }

    /** @return the built-in resource of {@code group} (empty for core) named {@code plural}, in any version */
    private static java.util.Optional<Kind> find(String group, String plural) {
        for (Map.Entry<String, List<Kind>> e : BY_GROUP_VERSION.entrySet()) {
            String gv = e.getKey();
            String g = gv.contains("/") ? gv.substring(0, gv.indexOf('/')) : "";
            if (g.equals(group)) {
                for (Kind k : e.getValue()) {
                    if (k.plural().equals(plural)) {
                        return java.util.Optional.of(k);
                    }
                }
            }
        }
        return java.util.Optional.empty();
    }
}

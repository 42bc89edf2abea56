package io.conflux.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Kubernetes RBAC in the in-memory API server: {@link RbacPolicy} decides as kube-apiserver's RBAC authorizer does
 * (bindings, subjects, rule matching with subresources, resource names and aggregation), and with
 * {@link Authorizer#RBAC} a service account's token may do only what its bindings grant, impersonation included.
 */
class RbacTest {
    private static final String SA = "system:serviceaccount:conflux:applier";

    @Test
    void aClusterRoleBindingGrantsItsRulesInEveryNamespaceAndNothingElse() {
        RbacPolicy policy = new RbacPolicy(List.of(clusterRole("reader", rule("", "configmaps", "get", "list"))),
            List.of(), List.of(clusterBinding("reader", "ServiceAccount", "applier", "conflux")), List.of());

        assertThat(policy.allows(request(SA, "get", "", "configmaps", "a", "x"))).isTrue();
        assertThat(policy.allows(request(SA, "list", "", "configmaps", "b", null))).isTrue();
        assertThat(policy.allows(request(SA, "patch", "", "configmaps", "a", "x"))).isFalse();
        assertThat(policy.allows(request(SA, "get", "", "secrets", "a", "x"))).isFalse();
        assertThat(policy.allows(request("system:serviceaccount:other:applier", "get", "", "configmaps", "a", "x")))
            .as("the same name in another namespace is another subject").isFalse();
    }

    @Test
    void aRoleBindingGrantsOnlyInItsNamespaceEvenForAClusterRole() {
        RbacPolicy policy = new RbacPolicy(List.of(clusterRole("editor", rule("", "configmaps", "*"))),
            List.of(role("team-a", "own", rule("apps", "deployments", "patch"))), List.of(),
            List.of(binding("team-a", "ClusterRole", "editor", "ServiceAccount", "applier", "conflux"),
                binding("team-a", "Role", "own", "ServiceAccount", "applier", "conflux")));

        assertThat(policy.allows(request(SA, "delete", "", "configmaps", "team-a", "x"))).isTrue();
        assertThat(policy.allows(request(SA, "delete", "", "configmaps", "team-b", "x"))).isFalse();
        assertThat(policy.allows(request(SA, "list", "", "configmaps", null, null))).as("cluster-wide list").isFalse();
        assertThat(policy.allows(request(SA, "patch", "apps", "deployments", "team-a", "web"))).isTrue();
        assertThat(policy.allows(request(SA, "patch", "", "deployments", "team-a", "web"))).as("other API group").isFalse();
    }

    @Test
    void subresourcesAndResourceNamesMustBeNamedByTheRule() {
        RbacPolicy policy = new RbacPolicy(List.of(clusterRole("status",
                rule("kustomize.toolkit.fluxcd.io", "kustomizations/status", "patch"),
                new PolicyRuleBuilder().withApiGroups("coordination.k8s.io").withResources("leases")
                    .withResourceNames("conflux-renderer").withVerbs("get", "update").build())),
            List.of(), List.of(clusterBinding("status", "ServiceAccount", "applier", "conflux")), List.of());

        assertThat(policy.allows(sub(SA, "patch", "kustomize.toolkit.fluxcd.io", "kustomizations", "status"))).isTrue();
        assertThat(policy.allows(request(SA, "patch", "kustomize.toolkit.fluxcd.io", "kustomizations", "ns", "x")))
            .as("the main resource is not its status").isFalse();
        assertThat(policy.allows(request(SA, "get", "coordination.k8s.io", "leases", "conflux", "conflux-renderer"))).isTrue();
        assertThat(policy.allows(request(SA, "get", "coordination.k8s.io", "leases", "conflux", "other"))).isFalse();
        assertThat(policy.allows(request(SA, "list", "coordination.k8s.io", "leases", "conflux", null)))
            .as("resourceNames never cover a request without a name").isFalse();
    }

    @Test
    void groupsAndAggregatedClusterRolesCount() {
        ClusterRole aggregate = new ClusterRoleBuilder().withNewMetadata().withName("view").endMetadata()
            .withNewAggregationRule().addNewClusterRoleSelector().withMatchLabels(Map.of("aggregate-to-view", "true"))
            .endClusterRoleSelector().endAggregationRule().build();
        ClusterRole part = clusterRole("flux-view", rule("source.toolkit.fluxcd.io", "gitrepositories", "get"));
        part.getMetadata().setLabels(Map.of("aggregate-to-view", "true"));
        RbacPolicy policy = new RbacPolicy(List.of(aggregate, part), List.of(),
            List.of(clusterBinding("view", "Group", "system:serviceaccounts:conflux", null)), List.of());

        assertThat(policy.allows(request(SA, "get", "source.toolkit.fluxcd.io", "gitrepositories", "x", "y"))).isTrue();
        assertThat(policy.allows(request("system:serviceaccount:tenant:sa", "get", "source.toolkit.fluxcd.io",
            "gitrepositories", "x", "y"))).isFalse();
    }

    @Test
    void aServiceAccountTokenMayDoOnlyWhatItsBindingsGrantOnTheServer() {
        try (InMemoryKubernetes kube = InMemoryKubernetes.start()) {
            kube.authorize(Authorizer.RBAC);
            try (KubernetesClient sa = client(kube, InMemoryKubernetes.serviceAccountToken("conflux", "applier"))) {
                assertThatThrownBy(() -> sa.configMaps().inNamespace("default").list())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403))
                    .hasMessageContaining("User \"" + SA + "\" cannot list resource \"configmaps\"");

                kube.client().resource(clusterRole("cm", rule("", "configmaps", "get", "list", "create"))).create();
                kube.client().resource(clusterBinding("cm", "ServiceAccount", "applier", "conflux")).create();

                assertThat(sa.configMaps().inNamespace("default").list().getItems()).isEmpty();
                sa.resource(new ConfigMapBuilder().withNewMetadata().withName("x").withNamespace("default").endMetadata()
                    .build()).create();
                assertThatThrownBy(() -> sa.configMaps().inNamespace("default").withName("x").delete())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
                assertThat(kube.client().configMaps().inNamespace("default").withName("x").get()).isNotNull();
            }
        }
    }

    @Test
    void aServerSideApplyThatCreatesNeedsCreateAsWellAsPatch() {
        try (InMemoryKubernetes kube = InMemoryKubernetes.start()) {
            kube.authorize(Authorizer.RBAC);
            kube.client().resource(clusterRole("apply", rule("", "configmaps", "get", "patch"))).create();
            kube.client().resource(clusterBinding("apply", "ServiceAccount", "applier", "conflux")).create();
            kube.client().resource(configMap("existing")).create();
            try (KubernetesClient sa = client(kube, InMemoryKubernetes.serviceAccountToken("conflux", "applier"))) {
                sa.resource(configMap("existing")).fieldManager("conflux").forceConflicts().serverSideApply();
                assertThatThrownBy(() -> sa.resource(configMap("new")).fieldManager("conflux").forceConflicts()
                        .serverSideApply())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403))
                    .hasMessageContaining("cannot create resource \"configmaps\"");
                assertThat(kube.client().configMaps().inNamespace("default").withName("new").get()).isNull();
            }
        }
    }

    private static io.fabric8.kubernetes.api.model.ConfigMap configMap(String name) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
            .withData(Map.of("k", "v")).build();
    }

    @Test
    void impersonationNeedsTheImpersonateVerbOnTheImpersonatedServiceAccount() {
        try (InMemoryKubernetes kube = InMemoryKubernetes.start()) {
            kube.authorize(Authorizer.RBAC);
            kube.client().resource(clusterRole("tenant", rule("", "configmaps", "list"))).create();
            kube.client().resource(clusterBinding("tenant", "ServiceAccount", "deployer", "apps")).create();
            String token = InMemoryKubernetes.serviceAccountToken("conflux", "applier");
            try (KubernetesClient asTenant = new KubernetesClientBuilder().withConfig(
                    new io.fabric8.kubernetes.client.ConfigBuilder(InMemoryKubernetes.clientConfig(kube.url()))
                        .withOauthToken(token).withImpersonateUsername("system:serviceaccount:apps:deployer").build())
                    .build()) {
                assertThatThrownBy(() -> asTenant.configMaps().inNamespace("default").list())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403))
                    .hasMessageContaining("cannot impersonate resource \"serviceaccounts\"");
                // discovery is served to everyone, but impersonating for it is checked as for any request
                assertThatThrownBy(() -> asTenant.getApiGroups())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403))
                    .hasMessageContaining("cannot impersonate resource \"serviceaccounts\"");
                assertThatThrownBy(() -> asTenant.getKubernetesVersion())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
                try (KubernetesClient plain = client(kube, token)) {
                    assertThat(plain.getApiGroups().getGroups()).as("discovery without impersonation").isNotEmpty();
                }

                kube.client().resource(clusterRole("impersonator", rule("", "serviceaccounts", "impersonate"))).create();
                kube.client().resource(clusterBinding("impersonator", "ServiceAccount", "applier", "conflux")).create();
                assertThat(asTenant.configMaps().inNamespace("default").list().getItems()).isEmpty();
                assertThat(asTenant.getApiGroups().getGroups()).isNotEmpty();
            }
        }
    }

    private static KubernetesClient client(InMemoryKubernetes kube, String token) {
        return new KubernetesClientBuilder().withConfig(new io.fabric8.kubernetes.client.ConfigBuilder(
            InMemoryKubernetes.clientConfig(kube.url())).withOauthToken(token).build()).build();
    }

    private static AccessRequest request(String user, String verb, String group, String resource, String ns, String name) {
        return new AccessRequest(user, List.of(), verb, group, resource, ns, name, null);
    }

    private static AccessRequest sub(String user, String verb, String group, String resource, String subresource) {
        return new AccessRequest(user, List.of(), verb, group, resource, "ns", "x", subresource);
    }

    private static io.fabric8.kubernetes.api.model.rbac.PolicyRule rule(String group, String resource, String... verbs) {
        return new PolicyRuleBuilder().withApiGroups(group).withResources(resource).withVerbs(verbs).build();
    }

    private static ClusterRole clusterRole(String name, io.fabric8.kubernetes.api.model.rbac.PolicyRule... rules) {
        return new ClusterRoleBuilder().withNewMetadata().withName(name).endMetadata().withRules(rules).build();
    }

    private static Role role(String ns, String name, io.fabric8.kubernetes.api.model.rbac.PolicyRule... rules) {
        return new RoleBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata().withRules(rules).build();
    }

    private static ClusterRoleBinding clusterBinding(String role, String kind, String name, String ns) {
        return new ClusterRoleBindingBuilder().withNewMetadata().withName(role + "-" + name).endMetadata()
            .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", role)
            .addNewSubject().withKind(kind).withName(name).withNamespace(ns).endSubject().build();
    }

    private static RoleBinding binding(String ns, String roleKind, String role, String kind, String name, String subjectNs) {
        return new RoleBindingBuilder().withNewMetadata().withName(role + "-" + name).withNamespace(ns).endMetadata()
            .withNewRoleRef("rbac.authorization.k8s.io", roleKind, role)
            .addNewSubject().withKind(kind).withName(name).withNamespace(subjectNs).endSubject().build();
    }
}

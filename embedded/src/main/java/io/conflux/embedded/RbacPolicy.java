package io.conflux.embedded;

import io.fabric8.kubernetes.api.model.rbac.AggregationRule;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A snapshot of a cluster's RBAC objects and the decision Kubernetes' RBAC authorizer makes with them (pure, no I/O),
 * following kube-apiserver's {@code plugin/pkg/auth/authorizer/rbac}: a request is allowed when some
 * ClusterRoleBinding, or some RoleBinding of the request's namespace, names the requester among its subjects and
 * refers to a role with a rule that covers the request. Deny rules do not exist in RBAC.
 *
 * <p>Subjects: {@code User} by name; {@code Group} by the request's groups plus the implicit
 * {@code system:authenticated} and, for a service account user {@code system:serviceaccount:<ns>:<name>},
 * {@code system:serviceaccounts} and {@code system:serviceaccounts:<ns>}; {@code ServiceAccount} by namespace and
 * name. Rules: {@code verbs}, {@code apiGroups}, {@code resources} ({@code plural}, {@code plural/subresource},
 * {@code *}, {@code *\/subresource}) and {@code resourceNames} (which never match a request without a name, such as
 * create, list or watch), each with the {@code *} wildcard. A ClusterRole with an {@code aggregationRule} has the
 * rules of every ClusterRole its selectors match (what the aggregation controller writes). Non-resource URLs are not
 * modelled (discovery is always served).
 *
 * @param clusterRoles        every ClusterRole
 * @param roles               every Role
 * @param clusterRoleBindings every ClusterRoleBinding
 * @param roleBindings        every RoleBinding
 */
public record RbacPolicy(List<ClusterRole> clusterRoles, List<Role> roles, List<ClusterRoleBinding> clusterRoleBindings,
                         List<RoleBinding> roleBindings) {

    /** The prefix of a service account's user name: {@code system:serviceaccount:<namespace>:<name>}. */
    public static final String SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";

    /** Copies the lists. */
    public RbacPolicy {
        clusterRoles = List.copyOf(clusterRoles);
        roles = List.copyOf(roles);
        clusterRoleBindings = List.copyOf(clusterRoleBindings);
        roleBindings = List.copyOf(roleBindings);
    }

    /** @return an empty policy, which allows nothing */
    public static RbacPolicy empty() {
        return new RbacPolicy(List.of(), List.of(), List.of(), List.of());
    }

    /**
     * @param request who asks to do what; its {@code user} is the identity decided on (after impersonation)
     * @return whether a binding grants it
     */
    public boolean allows(AccessRequest request) {
        Set<String> groups = groupsOf(request);
        for (ClusterRoleBinding binding : clusterRoleBindings) {
            if (names(binding.getSubjects(), request.user(), groups, null)
                && covers(rulesOf(binding.getRoleRef(), null), request)) {
                return true;
            }
        }
        if (request.namespace() == null) {
            return false;
        }
        for (RoleBinding binding : roleBindings) {
            String ns = binding.getMetadata().getNamespace();
            if (request.namespace().equals(ns) && names(binding.getSubjects(), request.user(), groups, ns)
                && covers(rulesOf(binding.getRoleRef(), ns), request)) {
                return true;
            }
        }
        return false;
    }

    private static Set<String> groupsOf(AccessRequest request) {
        Set<String> groups = new HashSet<>(request.groups());
        groups.add("system:authenticated");
        if (request.user().startsWith(SERVICE_ACCOUNT_PREFIX)) {
            String[] parts = request.user().substring(SERVICE_ACCOUNT_PREFIX.length()).split(":", 2);
            groups.add("system:serviceaccounts");
            groups.add("system:serviceaccounts:" + parts[0]);
        }
        return groups;
    }

    /** @param bindingNamespace the RoleBinding's namespace (a ServiceAccount subject defaults to it), null for a ClusterRoleBinding */
    private static boolean names(List<Subject> subjects, String user, Set<String> groups, String bindingNamespace) {
        if (subjects == null) {
            return false;
        }
        for (Subject s : subjects) {
            String kind = s.getKind();
            if ("User".equals(kind) && user.equals(s.getName())) {
                return true;
            }
            if ("Group".equals(kind) && groups.contains(s.getName())) {
                return true;
            }
            if ("ServiceAccount".equals(kind)) {
                String ns = s.getNamespace() == null || s.getNamespace().isEmpty() ? bindingNamespace : s.getNamespace();
                if (user.equals(SERVICE_ACCOUNT_PREFIX + ns + ":" + s.getName())) {
                    return true;
                }
            }
        }
        return false;
    }

    private List<PolicyRule> rulesOf(RoleRef ref, String bindingNamespace) {
        if (ref == null) {
            return List.of();
        }
        if ("ClusterRole".equals(ref.getKind())) {
            return clusterRoles.stream().filter(r -> ref.getName().equals(r.getMetadata().getName())).findFirst()
                .map(this::rulesOf).orElse(List.of());
        }
        if ("Role".equals(ref.getKind()) && bindingNamespace != null) {
            return roles.stream().filter(r -> ref.getName().equals(r.getMetadata().getName())
                    && bindingNamespace.equals(r.getMetadata().getNamespace())).findFirst()
                .map(r -> r.getRules() == null ? List.<PolicyRule>of() : r.getRules()).orElse(List.of());
        }
        return List.of();
    }

    private List<PolicyRule> rulesOf(ClusterRole role) {
        List<PolicyRule> rules = new ArrayList<>(role.getRules() == null ? List.of() : role.getRules());
        AggregationRule aggregation = role.getAggregationRule();
        if (aggregation != null && aggregation.getClusterRoleSelectors() != null) {
            for (ClusterRole other : clusterRoles) {
                if (other != role && other.getRules() != null
                    && aggregation.getClusterRoleSelectors().stream().anyMatch(s -> selects(s, labels(other)))) {
                    rules.addAll(other.getRules());
                }
            }
        }
        return rules;
    }

    private static Map<String, String> labels(ClusterRole role) {
        return role.getMetadata().getLabels() == null ? Map.of() : role.getMetadata().getLabels();
    }

    private static boolean selects(LabelSelector selector, Map<String, String> labels) {
        if (selector.getMatchLabels() != null) {
            for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
                if (!e.getValue().equals(labels.get(e.getKey()))) {
                    return false;
                }
            }
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
                String value = labels.get(r.getKey());
                List<String> values = r.getValues() == null ? List.of() : r.getValues();
                boolean ok = switch (r.getOperator()) {
                    case "In" -> value != null && values.contains(value);
                    case "NotIn" -> value == null || !values.contains(value);
                    case "Exists" -> labels.containsKey(r.getKey());
                    case "DoesNotExist" -> !labels.containsKey(r.getKey());
                    default -> false;
                };
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean covers(List<PolicyRule> rules, AccessRequest request) {
        for (PolicyRule rule : rules) {
            if (matches(rule.getVerbs(), request.verb())
                && matches(rule.getApiGroups(), request.group())
                && resourceMatches(rule.getResources(), request.resource(), request.subresource())
                && nameMatches(rule.getResourceNames(), request.name())) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(Collection<String> allowed, String value) {
        return allowed != null && (allowed.contains("*") || allowed.contains(value));
    }

    private static boolean resourceMatches(Collection<String> allowed, String resource, String subresource) {
        if (allowed == null) {
            return false;
        }
        if (subresource == null) {
            return allowed.contains("*") || allowed.contains(resource);
        }
        return allowed.contains(resource + "/" + subresource) || allowed.contains("*/" + subresource)
            || allowed.contains("*");
    }

    private static boolean nameMatches(Collection<String> names, String name) {
        return names == null || names.isEmpty() || (name != null && names.contains(name));
    }
}

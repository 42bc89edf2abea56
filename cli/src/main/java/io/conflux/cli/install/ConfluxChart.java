package io.conflux.cli.install;

import io.conflux.helm.ChartRenderer;
import io.conflux.helm.HelmException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Conflux's Helm chart ({@code deploy/chart/conflux}), rendered with the project's embedded Helm (no {@code helm}
 * binary): the one source of the objects {@code conflux install} applies and of the RBAC a local installation runs
 * its services under.
 */
public final class ConfluxChart {

    /** The chart's directory below the project root. */
    public static final Path DIRECTORY = Path.of("deploy", "chart", "conflux");

    /** The release name {@code conflux install} and local installations use: objects are named {@code conflux-<service>}. */
    public static final String RELEASE = "conflux";

    /** The kinds of the chart's RBAC objects. */
    public static final Set<String> RBAC_KINDS = Set.of("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role",
            "RoleBinding");

    private final Path chart;

    /** @param projectRoot the Conflux checkout holding {@link #DIRECTORY} */
    public ConfluxChart(Path projectRoot) {
        this.chart = projectRoot.resolve(DIRECTORY);
    }

    /**
     * Renders the chart as {@code helm template conflux deploy/chart/conflux --namespace <namespace> --include-crds}.
     *
     * @param namespace the release namespace
     * @param values    user values (nested maps, as a values file), coalesced over the chart's {@code values.yaml}
     * @return the CRDs first, then the release's objects in Helm's install order; JSON-compatible maps
     * @throws HelmException naming the chart when it does not render (e.g. a required value is missing)
     */
    public List<Map<String, Object>> render(String namespace, Map<String, Object> values) {
        return new ChartRenderer().template(chart, RELEASE, namespace, values);
    }

    /**
     * The chart's ServiceAccounts, ClusterRoles, Roles and their bindings, with every required connection value
     * filled by a placeholder (they do not appear in RBAC objects).
     *
     * @param namespace the release namespace
     * @return the RBAC objects, in install order
     * @throws HelmException when the chart does not render
     */
    public List<Map<String, Object>> rbac(String namespace) {
        Map<String, Object> placeholders = Map.of(
                "kafka", Map.of("bootstrapServers", "kafka.invalid:9092"),
                "postgresql", Map.of("host", "postgresql.invalid"));
        return render(namespace, placeholders).stream()
                .filter(o -> RBAC_KINDS.contains(String.valueOf(o.get("kind"))))
                .toList();
    }

    /**
     * @param service a service's name ({@code webhook-receiver}, {@code renderer}, {@code applier}, {@code notifier})
     * @return the name of its ServiceAccount, ClusterRole and Deployment
     */
    public static String objectName(String service) {
        return RELEASE + "-" + service;
    }
}

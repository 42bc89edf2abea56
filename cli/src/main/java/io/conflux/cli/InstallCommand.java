package io.conflux.cli;

import io.conflux.cli.install.ChartInstaller;
import io.conflux.cli.install.ConfluxChart;
import io.conflux.helm.HelmValues;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code conflux install}: applies the objects of the chart {@code deploy/chart/conflux} (rendered with the embedded
 * Helm, as {@code helm template --include-crds} would) to the kubeconfig's cluster with server-side apply: the CRDs
 * first, the release namespace, then everything else. The same objects as {@code helm install conflux
 * deploy/chart/conflux}, without a Helm release record. {@code --dry-run} prints them instead.
 */
@Command(name = "install", mixinStandardHelpOptions = true,
        description = "Install Conflux on a cluster: the chart deploy/chart/conflux's CRDs, RBAC and services.")
final class InstallCommand implements Callable<Integer> {

    @Mixin
    KubeconfigOption kubeconfig;

    @Option(names = {"-n", "--namespace"}, defaultValue = "flux-system", description = "release namespace (default: ${DEFAULT-VALUE})")
    String namespace;

    @Option(names = {"-f", "--values"}, description = "a values file (YAML), as helm's -f; repeatable, later ones win")
    List<Path> valuesFiles = new ArrayList<>();

    @Option(names = "--set", description = "a value, as helm's --set (e.g. kafka.bootstrapServers=kafka:9092); repeatable")
    List<String> set = new ArrayList<>();

    @Option(names = "--dry-run", description = "print the objects as YAML instead of applying them")
    boolean dryRun;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Path file : valuesFiles) {
            values = HelmValues.mergeMaps(values, HelmValues.parse(Files.readString(file), "values file " + file));
        }
        for (String assignment : set) {
            int eq = assignment.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--set " + assignment.replaceAll("=.*", "=…")
                        + ": expected path=value");
            }
            HelmValues.setPath(values, assignment.substring(0, eq), assignment.substring(eq + 1));
        }
        List<Map<String, Object>> objects = new ConfluxChart(ProjectHome.root()).render(namespace, values);
        PrintWriter out = spec.commandLine().getOut();
        if (dryRun) {
            out.print(ChartInstaller.yaml(objects));
            out.flush();
            return 0;
        }
        try (KubernetesClient client = kubeconfig.client()) {
            new ChartInstaller(client).apply(namespace, objects, line -> {
                out.println(line);
                out.flush();
            });
        }
        return 0;
    }
}

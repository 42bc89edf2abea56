package io.conflux.cli;

import io.conflux.cli.table.StatusTable;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code conflux get kustomizations|sources|helmreleases}: status tables like {@code flux get -A}. */
@Command(name = "get", description = "Show the status of Flux objects on the management cluster.")
final class GetCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "kustomizations (ks), sources (gitrepositories) or helmreleases (hr)")
    String what;

    @Spec
    CommandSpec spec;

    @Mixin
    KubeconfigOption kubeconfig = new KubeconfigOption();

    @Override
    public Integer call() {
        try (KubernetesClient client = kubeconfig.client()) {
            var rows = switch (what) {
                case "kustomizations", "kustomization", "ks" -> StatusTable.kustomizations(client);
                case "sources", "source", "gitrepositories", "gitrepository" -> StatusTable.gitRepositories(client);
                case "helmreleases", "helmrelease", "hr" -> StatusTable.helmReleases(client);
                default -> throw new IllegalArgumentException("unknown kind: " + what + " (kustomizations, sources, helmreleases)");
            };
            spec.commandLine().getOut().print(StatusTable.format(rows));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}

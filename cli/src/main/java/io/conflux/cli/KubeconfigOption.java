package io.conflux.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code --kubeconfig} option of commands that talk to a running installation: the given file, else
 * {@code .conflux/kubeconfig} written by {@code conflux up} in the current directory, else fabric8's defaults
 * ({@code KUBECONFIG}, {@code ~/.kube/config}, in-cluster). Subcommands inherit the option, so
 * {@code conflux reconcile ks NAME --kubeconfig FILE} works as well as {@code conflux reconcile --kubeconfig FILE ks NAME}.
 */
final class KubeconfigOption {
    @Option(names = "--kubeconfig", scope = ScopeType.INHERIT, description = "kubeconfig of the management cluster")
    Path kubeconfig;

    KubernetesClient client() {
        Path file = kubeconfig != null ? kubeconfig : Path.of(".conflux/kubeconfig");
        if (kubeconfig == null && !Files.exists(file)) {
            return new KubernetesClientBuilder().build();
        }
        if (!Files.isReadable(file)) {
            throw new UncheckedIOException(new IOException("cannot read kubeconfig " + file));
        }
        return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(file.toFile())).build();
    }
}

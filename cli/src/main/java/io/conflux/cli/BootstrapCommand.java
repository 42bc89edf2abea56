package io.conflux.cli;

import io.conflux.cli.bootstrap.BootstrapObjects;
import io.conflux.cli.bootstrap.DeployKey;
import io.conflux.cli.bootstrap.HostKeyScan;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code conflux bootstrap git}: what {@code flux bootstrap git} leaves on the cluster, for Conflux. */
@Command(name = "bootstrap", description = "Bootstrap a cluster from a Git repository, as flux bootstrap does.",
        subcommands = BootstrapCommand.Git.class)
final class BootstrapCommand {

    /**
     * {@code conflux bootstrap git --url ssh://git@host/org/repo --branch main --path clusters/my-cluster
     * [--private-key-file FILE] [--ssh-key-algorithm ecdsa|ed25519] [--known-hosts-file FILE]}: on the kubeconfig's
     * cluster, server-side applies (field manager {@code conflux}) the Namespace, the deploy-key Secret in Flux's format
     * and the {@code flux-system} GitRepository and Kustomization of {@code gotk-sync.yaml} ({@link BootstrapObjects}).
     * Without {@code --private-key-file} a key is generated ({@link DeployKey}; ECDSA P-384 as Flux's default) and its
     * public key printed, to be added to the repository as a read-only deploy key; without {@code --known-hosts-file}
     * the server's host key is read from the URL's host ({@link HostKeyScan}). Unlike {@code flux bootstrap}, nothing
     * is pushed to the repository and no controller is installed: Conflux's services play their part.
     */
    @Command(name = "git", description = "Create the flux-system Secret (deploy key), GitRepository and Kustomization.")
    static final class Git implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        KubeconfigOption kubeconfig = new KubeconfigOption();

        @Option(names = "--url", required = true, description = "ssh://[user@]host[:port]/org/repo")
        String url;

        @Option(names = "--branch", defaultValue = "main", description = "branch to follow (default main)")
        String branch;

        @Option(names = "--path", required = true, description = "the cluster's directory, e.g. clusters/my-cluster")
        String path;

        @Option(names = "--private-key-file", description = "the deploy key's private key (OpenSSH or PEM, "
                + "unencrypted); default: generate one")
        Path privateKeyFile;

        @Option(names = "--ssh-key-algorithm", defaultValue = "ECDSA", description = "key to generate: ecdsa (P-384, "
                + "Flux's default) or ed25519", converter = AlgorithmConverter.class)
        DeployKey.Algorithm algorithm;

        @Option(names = "--known-hosts-file", description = "known_hosts of the Git server; default: read the host key"
                + " from the URL's host")
        Path knownHostsFile;

        @Option(names = "--timeout", defaultValue = "30s", converter = GoDurationConverter.class,
                description = "bound of the host key scan (Go duration, default 30s)")
        Duration timeout;

        @Override
        public Integer call() {
            if (!url.startsWith("ssh://")) {
                throw new IllegalArgumentException("--url must be an ssh:// URL (Flux's bootstrap format), not " + url);
            }
            DeployKey key = privateKeyFile == null ? DeployKey.generate(algorithm)
                    : DeployKey.read(read(privateKeyFile), privateKeyFile.toString());
            String knownHosts = knownHostsFile == null ? HostKeyScan.knownHosts(url, timeout) : read(knownHostsFile);
            PrintWriter out = spec.commandLine().getOut();
            try (KubernetesClient client = kubeconfig.client()) {
                for (HasMetadata object : BootstrapObjects.of(url, branch, path, key, knownHosts)) {
                    client.resource(object).fieldManager("conflux").forceConflicts().serverSideApply();
                    out.println("✔ " + object.getKind() + " " + (object.getMetadata().getNamespace() == null ? ""
                            : object.getMetadata().getNamespace() + "/") + object.getMetadata().getName() + " applied");
                }
            }
            if (privateKeyFile == null) {
                out.println("deploy key: " + key.publicKey());
                out.println("add it to the repository as a deploy key with read access (it is in Secret "
                        + "flux-system/flux-system, identity.pub)");
            }
            out.flush();
            return 0;
        }

        private static String read(Path file) {
            try {
                return Files.readString(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
    }

    /** {@code ecdsa}/{@code ed25519}, any case. */
    static final class AlgorithmConverter implements picocli.CommandLine.ITypeConverter<DeployKey.Algorithm> {
        @Override
        public DeployKey.Algorithm convert(String value) {
            return DeployKey.Algorithm.valueOf(value.toUpperCase(java.util.Locale.ROOT));
        }
    }
}

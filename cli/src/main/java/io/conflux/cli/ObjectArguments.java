package io.conflux.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code KIND NAME [-n NAMESPACE]} arguments of {@code tree} and {@code history}, as the {@code flux} CLI takes
 * them ({@code reconcile}, {@code suspend} and {@code resume} use the kind subcommands of {@link ObjectCommands}).
 */
final class ObjectArguments {
    @Parameters(index = "0", description = "kustomization (ks), helmrelease (hr) or source (gitrepository)")
    String kind;
    @Parameters(index = "1", description = "name")
    String name;
    @Option(names = {"-n", "--namespace"}, defaultValue = "flux-system", description = "namespace (default: ${DEFAULT-VALUE})")
    String namespace;
}

package io.conflux.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code conflux} command line: {@code up}, {@code get}, {@code kustomize build}. */
@Command(name = "conflux", mixinStandardHelpOptions = true, version = "conflux 0.1.0",
        description = "GitOps control plane speaking Flux's API.",
        subcommands = {UpCommand.class, GetCommand.class, ReconcileCommand.class, SuspendCommand.class,
                SuspendCommand.Resume.class, TreeCommand.class, HistoryCommand.class, EventsCommand.class,
                DeliveriesCommand.class, KustomizeCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }
}

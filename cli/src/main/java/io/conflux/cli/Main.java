package io.conflux.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code conflux} command line: {@code up}, {@code get}, {@code kustomize build}. */
@Command(name = "conflux", mixinStandardHelpOptions = true, version = "conflux 0.1.0",
        description = "GitOps control plane speaking Flux's API.",
        subcommands = {UpCommand.class, GetCommand.class, ReconcileCommand.class, SuspendCommand.Suspend.class,
                SuspendCommand.Resume.class, TreeCommand.class, HistoryCommand.class, EventsCommand.class,
                DeliveriesCommand.class, DlqCommand.class, KustomizeCommand.class, CheckCommand.class, BootstrapCommand.class,
                InstallCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {

    /**
     * Runs the command line and exits with its code. A command that fails prints its error and the causes on one
     * line each (no stack trace; {@code CONFLUX_DEBUG=1} prints it) and exits with 1.
     */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * @return the {@code conflux} command line, ready to {@code execute(args)}: a failing command prints
     *         {@code <qualified command name>: <error>} and {@code  caused by: <cause>} lines to its error writer
     *         (the stack trace instead when {@code CONFLUX_DEBUG} is set) and returns exit code 1
     */
    public static CommandLine commandLine() {
        return new CommandLine(new Main()).setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (System.getenv("CONFLUX_DEBUG") != null) {
                e.printStackTrace(cmd.getErr());
            } else {
                cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + e.getMessage());
                for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
                    cmd.getErr().println("  caused by: " + cause.getMessage());
                }
            }
            cmd.getErr().flush();
            return 1;
        });
    }
}

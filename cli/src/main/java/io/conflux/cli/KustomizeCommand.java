package io.conflux.cli;

import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.Kustomizer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code conflux kustomize build DIR}: prints what {@code kubectl kustomize DIR} prints, with the Java engine. */
@Command(name = "kustomize", description = "kustomize, in-process.", subcommands = KustomizeCommand.Build.class)
final class KustomizeCommand {

    /** {@code build DIR}. */
    @Command(name = "build", description = "Build a kustomization directory and print the YAML stream.")
    static final class Build implements Callable<Integer> {
        @Parameters(index = "0", defaultValue = ".", description = "directory holding a kustomization file")
        Path dir;

        @Override
        public Integer call() {
            try {
                System.out.print(Kustomizer.create().build(dir.toAbsolutePath().normalize()).toYaml());
                return 0;
            } catch (KustomizeException e) {
                System.err.println("Error: " + e.getMessage());
                return 1;
            }
        }
    }
}

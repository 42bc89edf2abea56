package io.conflux.cli;

import io.conflux.cli.check.ClusterChecks;
import io.conflux.cli.check.ConfluxCrds;
import io.conflux.cli.check.Finding;
import io.conflux.cli.check.ServiceHealth;
import io.conflux.cli.check.UnsupportedFields;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code conflux check}, as {@code flux check}: the management cluster reachable, Conflux's CRDs installed with the
 * versions Conflux serves and {@code Established}, the services' readiness ({@code /q/health/ready}: the services of
 * {@code .conflux/services}, written by {@code conflux up}, and every {@code --service name=url}) with their failed
 * watches, Flux's controller Deployments (none may run; those a Kustomization skipped are listed), the Flux objects
 * not Ready with their reason (those pending past interval + timeout + {@code --stall-grace} as stalled, naming
 * what they wait for), and the fields Conflux does not act on. One line per finding ({@code ✔}, {@code !}
 * warning, {@code ✗} failure); exit code 1 when any finding is a failure.
 */
@Command(name = "check", description = "Check the prerequisites and the health of a Conflux installation.")
final class CheckCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KubeconfigOption kubeconfig = new KubeconfigOption();

    @Option(names = "--service", description = "a service's base URL to check, name=url (repeatable); default: those "
            + "of .conflux/services")
    Map<String, String> services = new LinkedHashMap<>();

    @Option(names = "--timeout", defaultValue = "5s", converter = GoDurationConverter.class,
            description = "bound of each health request (Go duration, default 5s)")
    Duration timeout;

    @Option(names = "--stall-grace", defaultValue = "1m", converter = GoDurationConverter.class,
            description = "an object without a status for its generation past spec.interval + spec.timeout + this is "
                    + "listed as stalled, with what it waits for (Go duration, default 1m: the applier's "
                    + "conflux.applier.stall-audit.grace)")
    Duration stallGrace;

    @Override
    public Integer call() {
        List<Finding> findings = new ArrayList<>();
        try (KubernetesClient client = kubeconfig.client()) {
            findings.addAll(ClusterChecks.run(client, expectedCrds(client), stallGrace));
            findings.addAll(ServiceHealth.check(services(), timeout));
            findings.addAll(UnsupportedFields.check(client));
        }
        PrintWriter out = spec.commandLine().getOut();
        findings.forEach(f -> out.println(f.line()));
        long failures = findings.stream().filter(f -> f.status() == Finding.Status.FAIL).count();
        out.println(failures == 0 ? "✔ all checks passed" : "✗ " + failures + " check(s) failed");
        out.flush();
        return failures == 0 ? 0 : 1;
    }

    private Map<String, String> services() {
        Map<String, String> all = new LinkedHashMap<>();
        try {
            all.putAll(ServiceHealth.known(Path.of(".conflux/services")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read .conflux/services", e);
        }
        all.putAll(services);
        return all;
    }

    private static Map<String, List<String>> expectedCrds(KubernetesClient client) {
        Path dir;
        try {
            dir = ProjectHome.root().resolve("deploy/crds");
        } catch (IllegalStateException notACheckout) {
            return null;
        }
        return Files.isDirectory(dir) ? ConfluxCrds.served(client, dir) : null;
    }
}

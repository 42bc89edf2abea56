package io.conflux.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code conflux install} applies the chart's objects to the kubeconfig's cluster (values from {@code --set} and
 * {@code -f}), again without error on a second run, and {@code --dry-run} prints them without applying.
 */
class InstallCommandTest {
    private static String previousHome;

    @TempDir
    Path dir;

    @BeforeAll
    static void projectHome() {
        previousHome = System.getProperty("conflux.home");
        System.setProperty("conflux.home", "..");
    }

    @AfterAll
    static void restore() {
        if (previousHome == null) {
            System.clearProperty("conflux.home");
        } else {
            System.setProperty("conflux.home", previousHome);
        }
    }

    @Test
    void installsTheChartsObjectsWithTheGivenValuesAndCanRunAgain() throws Exception {
        try (TestCluster cluster = new TestCluster(dir)) {
            String[] args = {"install", "--kubeconfig", cluster.kubeconfig.toString(), "--namespace", "conflux",
                "--set", "kafka.bootstrapServers=kafka.kafka:9092", "--set", "postgresql.host=pg.postgres",
                "--set", "services.applier.replicas=3", "--set", "serviceMonitor.enabled=false",
                "-f", "../deploy/chart/examples/values-production.yaml"};
            TestCluster.Run first = TestCluster.run(args);
            assertThat(first.exitCode()).as(first.err()).isZero();
            assertThat(first.out()).contains("Namespace/conflux created", "Deployment/conflux/conflux-applier applied",
                    "ClusterRole/conflux-renderer applied");
            Deployment applier = cluster.client.apps().deployments().inNamespace("conflux").withName("conflux-applier").get();
            assertThat(applier.getSpec().getReplicas()).as("--set wins over -f").isEqualTo(3);
            assertThat(applier.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                    .anySatisfy(e -> {
                        assertThat(e.getName()).isEqualTo("KAFKA_BOOTSTRAP_SERVERS");
                        assertThat(e.getValue()).isEqualTo("kafka.kafka:9092");
                    });
            TestCluster.Run again = TestCluster.run(args);
            assertThat(again.exitCode()).as(again.err()).isZero();
            assertThat(again.out()).doesNotContain("created");
        }
    }

    @Test
    void dryRunPrintsTheObjectsAndAppliesNothing() throws Exception {
        try (TestCluster cluster = new TestCluster(dir)) {
            TestCluster.Run run = TestCluster.run("install", "--kubeconfig", cluster.kubeconfig.toString(), "--dry-run",
                    "--set", "kafka.bootstrapServers=k:9092", "--set", "postgresql.host=pg");
            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.out()).contains("kind: Deployment", "name: conflux-webhook-receiver", "kind: ClusterRole");
            assertThat(cluster.client.apps().deployments().inNamespace("flux-system").list().getItems()).isEmpty();
        }
    }

    @Test
    void anObjectOfAKindTheClusterDoesNotServeFailsNamingItAndTheFix() throws Exception {
        try (TestCluster cluster = new TestCluster(dir)) {
            TestCluster.Run run = TestCluster.run("install", "--kubeconfig", cluster.kubeconfig.toString(),
                    "--set", "kafka.bootstrapServers=k:9092", "--set", "postgresql.host=pg", "--set", "serviceMonitor.enabled=true");
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).contains("ServiceMonitor/flux-system/conflux: the cluster does not serve monitoring.coreos.com/v1");
        }
    }

    @Test
    void aMissingRequiredValueFailsNamingIt() {
        TestCluster.Run run = TestCluster.run("install", "--dry-run");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("kafka.bootstrapServers is required");
    }
}

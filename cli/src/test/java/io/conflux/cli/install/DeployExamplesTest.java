package io.conflux.cli.install;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.conflux.model.topic.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The external Kafka and PostgreSQL examples of issue #14 ({@code deploy/chart/examples}) fit Conflux and the
 * production values beside them: the Strimzi {@code KafkaTopic}s cover every topic the services key by object
 * ({@link Topics}) with one partition count (the ownership of an object is the partition of its key on every topic:
 * docs/service-conventions.md, "Ownership"), no service runs more replicas than there are partitions, topic
 * replication fits the node pool; the CloudNativePG {@code Cluster} creates the database the chart connects to and the
 * {@code <cluster>-app} Secret the install commands copy; the production values name the bootstrap Service and the
 * {@code -rw} Service of these two objects.
 */
class DeployExamplesTest {
    private static final Path EXAMPLES = Path.of("..", "deploy", "chart", "examples");
    private static final Path VALUES = Path.of("..", "deploy", "chart", "conflux", "values.yaml");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void theStrimziTopicsCoverEveryKeyedTopicWithOnePartitionCountAndFitTheNodePool() throws IOException {
        List<JsonNode> objects = documents(EXAMPLES.resolve("strimzi-kafka.yaml"));
        Map<String, JsonNode> topics = objects.stream().filter(o -> o.path("kind").asText().equals("KafkaTopic"))
                .collect(Collectors.toMap(o -> o.path("spec").path("topicName").asText(), o -> o.path("spec"),
                        (a, b) -> a, TreeMap::new));
        assertThat(topics).containsOnlyKeys(Topics.SOURCE_REVISIONS, Topics.RENDER_RESULTS,
                Topics.RECONCILE_REQUESTS, Topics.EVENTS);
        assertThat(topics.values().stream().map(t -> t.path("partitions").asInt()).distinct().toList())
                .as("one partition count on every keyed topic").singleElement().satisfies(p -> assertThat(p)
                        .isPositive());
        int partitions = topics.values().iterator().next().path("partitions").asInt();

        JsonNode kafka = only(objects, "Kafka");
        JsonNode pool = only(objects, "KafkaNodePool");
        assertThat(pool.path("metadata").path("labels").path("strimzi.io/cluster").asText())
                .isEqualTo(kafka.path("metadata").path("name").asText());
        int brokers = pool.path("spec").path("replicas").asInt();
        for (JsonNode topic : topics.values()) {
            int replicas = topic.path("replicas").asInt();
            assertThat(replicas).isBetween(1, brokers);
            assertThat(topic.path("config").path("min.insync.replicas").asInt()).isLessThan(replicas);
        }
        assertThat(kafka.path("spec").path("kafka").path("config").path("num.partitions").asInt())
                .as("auto-created topics (<topic>.dlq) get the same count").isEqualTo(partitions);

        JsonNode production = YAML.readTree(EXAMPLES.resolve("values-production.yaml").toFile());
        production.path("services").properties().forEach(service -> assertThat(
                service.getValue().path("replicas").asInt()).as(service.getKey() + " replicas")
                .isBetween(1, partitions));
        JsonNode plain = kafka.path("spec").path("kafka").path("listeners").get(0);
        assertThat(production.path("kafka").path("bootstrapServers").asText()).isEqualTo(
                kafka.path("metadata").path("name").asText() + "-kafka-bootstrap.kafka:" + plain.path("port").asInt());
    }

    @Test
    void theCloudNativePgClusterCreatesTheDatabaseAndSecretTheChartUses() throws IOException {
        JsonNode cluster = only(documents(EXAMPLES.resolve("cnpg-cluster.yaml")), "Cluster");
        assertThat(cluster.path("apiVersion").asText()).isEqualTo("postgresql.cnpg.io/v1");
        String name = cluster.path("metadata").path("name").asText();
        JsonNode values = YAML.readTree(VALUES.toFile());
        JsonNode initdb = cluster.path("spec").path("bootstrap").path("initdb");
        assertThat(initdb.path("database").asText()).isEqualTo(values.path("postgresql").path("database").asText());

        JsonNode production = YAML.readTree(EXAMPLES.resolve("values-production.yaml").toFile());
        assertThat(production.path("postgresql").path("host").asText()).isEqualTo(name + "-rw.postgres");
        String secret = production.path("postgresql").path("credentialsSecret").asText();
        String readme = Files.readString(Path.of("..", "README.md"));
        assertThat(readme).as("the README's install commands copy the Cluster's app Secret under the values' name")
                .contains("kubectl get secret " + name + "-app -n postgres")
                .contains("metadata: {name: \"" + secret + "\"}");
        int replicas = 0;
        for (Map.Entry<String, JsonNode> service : production.path("services").properties()) {
            replicas += service.getValue().path("replicas").asInt();
        }
        int needed = replicas * values.path("postgresql").path("maxConnections").asInt() + replicas;
        assertThat(cluster.path("spec").path("postgresql").path("parameters").path("max_connections").asInt())
                .as("connections of every replica (pool + Flyway's one)").isGreaterThanOrEqualTo(needed);
    }

    private static JsonNode only(List<JsonNode> objects, String kind) {
        List<JsonNode> found = objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
        assertThat(found).as(kind).hasSize(1);
        return found.get(0);
    }

    private static List<JsonNode> documents(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile())) {
            while (it.hasNext()) {
                JsonNode node = it.next();
                if (node != null && !node.isNull() && !node.isMissingNode()) {
                    out.add(node);
                }
            }
        }
        return out;
    }
}

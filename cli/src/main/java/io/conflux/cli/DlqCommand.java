package io.conflux.cli;

import io.conflux.cli.dlq.DeadLetter;
import io.conflux.cli.dlq.DeadLetterReader;
import io.conflux.cli.dlq.DeadLetterTable;
import io.conflux.cli.dlq.KafkaAccess;
import io.conflux.cli.dlq.ReplayLog;
import io.conflux.cli.dlq.ReplayPlan;
import io.conflux.cli.dlq.ReplaySelection;
import io.conflux.cli.dlq.Replayer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code conflux dlq list|replay}: the services' dead-letter topics ({@code <topic>.dlq}, where SmallRye's
 * {@code dead-letter-queue} failure strategy puts a record whose handler failed for good — poison, not a transient
 * fault, which the services retry). {@code list} shows them with the failure from SmallRye's {@code dead-letter-*}
 * headers; {@code replay} sends selected ones back to their original topic once (see {@link ReplayLog}).
 * A failure (no such topic, Kafka unreachable) is one line and exit code 1.
 */
@Command(name = "dlq", description = "List and replay the services' dead letters (<topic>.dlq).",
        subcommands = {DlqCommand.ListCommand.class, DlqCommand.ReplayCommand.class})
final class DlqCommand {

    /** Where Kafka is and how long to wait for it, shared by the subcommands. */
    static final class KafkaOptions {
        @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,…]",
                description = "Kafka (default: the running local installation's, from <work-dir>/kafka-bootstrap-servers)")
        String bootstrapServers;
        @Option(names = "--work-dir", defaultValue = ".conflux", paramLabel = "DIR",
                description = "the local installation's directory, as given to conflux up (default: ${DEFAULT-VALUE})")
        Path workDir;
        @Option(names = "--timeout", defaultValue = "10s", converter = GoDurationConverter.class, paramLabel = "DURATION",
                description = "bound of each Kafka operation, Go duration (default: ${DEFAULT-VALUE})")
        Duration timeout;
        @Option(names = "--topic", paramLabel = "TOPIC",
                description = "one dead-letter topic, e.g. conflux.render-results.dlq (default: every topic named *.dlq)")
        String topic;

        KafkaAccess access() {
            return KafkaAccess.resolve(bootstrapServers, workDir, timeout);
        }
    }

    /**
     * {@code conflux dlq list [--topic T] [--limit N] [--show-value]}: one line per dead letter (see
     * {@link DeadLetterTable}): the {@code N} most recent (by record time) of the topics, printed by topic, partition
     * and offset.
     */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List dead letters: where, when, key, original topic/partition/offset, "
            + "replayed, failure reason and cause (never the value unless --show-value).")
    static final class ListCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        KafkaOptions kafka = new KafkaOptions();
        @Option(names = "--limit", defaultValue = "50", paramLabel = "N", description = "the N most recent dead letters (default: ${DEFAULT-VALUE})")
        int limit;
        @Option(names = "--show-value", description = "also print each value (it may hold secrets)")
        boolean showValue;

        @Override
        public Integer call() {
            if (limit < 1) {
                throw new IllegalArgumentException("--limit must be at least 1: " + limit);
            }
            KafkaAccess access = kafka.access();
            PrintWriter out = spec.commandLine().getOut();
            Admin admin = access.admin();
            try {
                DeadLetterReader reader = new DeadLetterReader(access, admin);
                List<DeadLetter> letters = DeadLetterReader.newest(reader.read(reader.topics(kafka.topic), limit), limit);
                Map<String, ReplayLog.Mark> marks = letters.isEmpty() ? Map.of() : new ReplayLog(access).read(admin);
                out.print(DeadLetterTable.header());
                for (DeadLetter letter : letters) {
                    out.print(DeadLetterTable.row(letter, marks.get(letter.id().markerKey())));
                    if (showValue) {
                        out.print(DeadLetterTable.value(letter));
                    }
                }
            } finally {
                // nothing is pending by now: do not wait for a broker that may be gone
                admin.close(Duration.ofSeconds(1));
            }
            out.flush();
            return 0;
        }
    }

    /**
     * {@code conflux dlq replay [--topic T] (--key K | --partition P --offset O | --all)}: sends each selected dead
     * letter that was not replayed before back to its original topic ({@link Replayer}), records it
     * ({@link ReplayLog}) and prints {@code replayed <dead letter> key <key> -> <topic>/<partition>@<offset>}; a
     * selected one it leaves is printed as {@code skipped <dead letter>: <why>}; last a count line.
     */
    @Command(name = "replay", mixinStandardHelpOptions = true, description = "Send dead letters back to their original topic (key and value as they "
            + "were, acks=all), each once: a replayed dead letter is recorded in " + ReplayLog.TOPIC + ".")
    static final class ReplayCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        KafkaOptions kafka = new KafkaOptions();
        @Option(names = "--key", paramLabel = "KEY", description = "the dead letters with this key, e.g. Kustomization/apps/podinfo")
        String key;
        @Option(names = "--partition", paramLabel = "P", description = "with --offset and --topic: the one dead letter at this partition")
        Integer partition;
        @Option(names = "--offset", paramLabel = "O", description = "with --partition and --topic: the one dead letter at this offset")
        Long offset;
        @Option(names = "--all", description = "every dead letter (of --topic, or of all dead-letter topics)")
        boolean all;

        @Override
        public Integer call() {
            ReplaySelection selection = ReplaySelection.of(kafka.topic, key, partition, offset, all);
            KafkaAccess access = kafka.access();
            PrintWriter out = spec.commandLine().getOut();
            Admin admin = access.admin();
            try {
                DeadLetterReader reader = new DeadLetterReader(access, admin);
                List<TopicDescription> topics = reader.topics(kafka.topic);
                List<DeadLetter> letters = reader.read(topics, Long.MAX_VALUE);
                ReplayLog log = new ReplayLog(access);
                ReplayPlan plan = ReplayPlan.of(letters, selection, log.read(admin));
                plan.skipped().forEach(s -> out.println(DeadLetterTable.skipped(s)));
                if (!plan.send().isEmpty()) {
                    log.ensureTopic(admin);
                    try (Replayer replayer = new Replayer(access, log)) {
                        for (DeadLetter letter : plan.send()) {
                            out.println(DeadLetterTable.replayed(replayer.replay(letter)));
                            out.flush();
                        }
                    }
                }
                long matched = letters.stream().filter(selection::selects).count();
                out.printf("%d replayed, %d skipped, %d selected of %d dead letters in %s%n", plan.send().size(),
                        plan.skipped().size(), matched, letters.size(),
                        topics.isEmpty() ? "no dead-letter topic" : String.join(", ", topics.stream().map(TopicDescription::name).toList()));
            } finally {
                // nothing is pending by now: do not wait for a broker that may be gone
                admin.close(Duration.ofSeconds(1));
            }
            out.flush();
            return 0;
        }
    }
}

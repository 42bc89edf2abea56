package io.conflux.e2e;

import io.conflux.model.meta.GoDuration;
import java.time.Duration;

/**
 * The sizes and rhythm of a fault-injection run, read from system properties ({@code -Dfaults.<name>=<value>} on the
 * Maven command line); the defaults are issue #12's run.
 *
 * @param replicas         processes per service ({@code faults.replicas}, 3)
 * @param partitions       partitions of the services' topics ({@code faults.partitions}, 6)
 * @param kustomizations   generated Kustomizations besides the root one ({@code faults.kustomizations}, 50)
 * @param commits          commits of the storm ({@code faults.commits}, 500)
 * @param commitInterval   pause between two commits ({@code faults.commit-interval}, Go duration, 200ms)
 * @param killInterval     pause between two {@code kill -9}s of a random service replica
 *                         ({@code faults.kill-interval}, 5s; 0s: no kills)
 * @param outage           how long PostgreSQL and Kafka stay down when restarted ({@code faults.outage}, 5s)
 * @param restartDelay     how long a killed replica stays down before it is started again
 *                         ({@code faults.restart-delay}, 2s)
 * @param pollInterval     the GitRepository's and the root Kustomization's {@code interval}
 *                         ({@code faults.poll-interval}, 30s)
 * @param interval         the generated Kustomizations' {@code interval} ({@code faults.interval}, 10m)
 * @param timeout          bound of the whole run, from the start of the installation to the report
 *                         ({@code faults.timeout}, 60m); what has not converged by then is reported and fails the
 *                         run
 * @param seed             seed of every random choice (changes, kills) ({@code faults.seed}, 12)
 */
public record FaultsSettings(int replicas, int partitions, int kustomizations, int commits, Duration commitInterval,
                             Duration killInterval, Duration outage, Duration restartDelay, String pollInterval,
                             String interval, Duration timeout, long seed) {

    /** @return the settings given as system properties, defaults for the others */
    public static FaultsSettings fromSystemProperties() {
        return new FaultsSettings(
            positive("faults.replicas", 3),
            positive("faults.partitions", 6),
            positive("faults.kustomizations", 50),
            positive("faults.commits", 500),
            duration("faults.commit-interval", "200ms"),
            duration("faults.kill-interval", "5s"),
            duration("faults.outage", "5s"),
            duration("faults.restart-delay", "2s"),
            goDuration("faults.poll-interval", "30s"),
            goDuration("faults.interval", "10m"),
            duration("faults.timeout", "60m"),
            Long.getLong("faults.seed", 12));
    }

    private static int positive(String key, int defaultValue) {
        int value = Integer.getInteger(key, defaultValue);
        if (value < 1) {
            throw new IllegalArgumentException(key + " must be >= 1: " + value);
        }
        return value;
    }

    private static Duration duration(String key, String defaultValue) {
        return GoDuration.parse(goDuration(key, defaultValue));
    }

    private static String goDuration(String key, String defaultValue) {
        String value = System.getProperty(key, defaultValue).trim();
        try {
            GoDuration.parse(value);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(key + " is not a Go duration (e.g. 30s, 5m): " + value, e);
        }
        return value;
    }
}

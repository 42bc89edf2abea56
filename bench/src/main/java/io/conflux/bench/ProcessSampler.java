package io.conflux.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Samples, from Linux's {@code /proc}, the resident set size summed over this JVM and all its descendant processes
 * (peak over the samples), and the CPU time (user + system) they used: for a live descendant its
 * {@code utime + stime + cutime + cstime} at the last sample (so PostgreSQL's ended backends count), plus this JVM's
 * own {@code utime + stime} and the {@code cutime + cstime} it collected from children that exited.
 *
 * <p>Figures: {@code peakRssMiB} in MiB (2^20 bytes), {@code cpuSeconds} in seconds, {@code processes} the most
 * processes seen in one sample. Clock ticks are taken as 100 per second ({@code getconf CLK_TCK} on Linux/x86-64 and
 * arm64).
 */
final class ProcessSampler {
    private static final double CLOCK_TICKS_PER_SECOND = 100.0;

    /** What was measured; see the class comment for the units. */
    record Figures(long peakRssMiB, double cpuSeconds, int processes) {
    }

    private final Thread thread;
    private final AtomicLong peakRssKiB = new AtomicLong();
    private final AtomicLong maxProcesses = new AtomicLong();
    private final Map<Long, Long> lastTicks = new HashMap<>();
    private final long startTicks;
    private volatile boolean running = true;

    private ProcessSampler(Duration period) {
        this.startTicks = totalTicks();
        this.thread = new Thread(() -> {
            while (running) {
                sample();
                try {
                    Thread.sleep(period.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }, "process-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts sampling every {@code period}. */
    static ProcessSampler start(Duration period) {
        return new ProcessSampler(period);
    }

    /** Takes a last sample, stops and returns the figures. */
    Figures stop() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join();
        sample();
        double cpu = (totalTicks() - startTicks) / CLOCK_TICKS_PER_SECOND;
        return new Figures(peakRssKiB.get() / 1024, cpu, (int) maxProcesses.get());
    }

    private synchronized void sample() {
        long rss = 0;
        int count = 0;
        Map<Long, Long> alive = new HashMap<>();
        for (ProcessHandle p : (Iterable<ProcessHandle>) Stream.concat(Stream.of(ProcessHandle.current()),
                ProcessHandle.current().descendants())::iterator) {
            Path proc = Path.of("/proc", Long.toString(p.pid()));
            rss += rssKiB(proc);
            long[] ticks = ticks(proc);
            if (ticks != null) {
                // a process's own time and that of the children it reaped (PostgreSQL's backends)
                alive.put(p.pid(), p.pid() == ProcessHandle.current().pid() ? ticks[0] : ticks[0] + ticks[1]);
            }
            count++;
        }
        lastTicks.clear();
        lastTicks.putAll(alive);
        peakRssKiB.accumulateAndGet(rss, Math::max);
        maxProcesses.accumulateAndGet(count, Math::max);
    }

    /** Own and live descendants' ticks (with those of the children they reaped) at the last sample, plus this JVM's reaped children. */
    private synchronized long totalTicks() {
        long[] self = ticks(Path.of("/proc/self"));
        long reaped = self == null ? 0 : self[1];
        long live = 0;
        for (Map.Entry<Long, Long> e : lastTicks.entrySet()) {
            live += e.getValue();
        }
        if (lastTicks.isEmpty() && self != null) {
            live = self[0];
        }
        return live + reaped;
    }

    private static long rssKiB(Path proc) {
        try {
            for (String line : Files.readAllLines(proc.resolve("status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D+", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process ended between the listing and the read
        }
        return 0;
    }

    /** @return {utime + stime, cutime + cstime} in clock ticks, or null when the process is gone */
    private static long[] ticks(Path proc) {
        try {
            String stat = Files.readString(proc.resolve("stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields after the command: state(3) ... utime(14) stime(15) cutime(16) cstime(17); f[0] is field 3
            return new long[] {Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[13]) + Long.parseLong(f[14])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}

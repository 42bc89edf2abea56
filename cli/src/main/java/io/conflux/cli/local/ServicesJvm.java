package io.conflux.cli.local;

import io.conflux.embedded.ServiceLauncher;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Starts the four services of a {@link LocalInstallation} in one JVM ({@link ServicesJvmMain}): each packaged Quarkus
 * application ({@code <module>/target/quarkus-app}) in its own class loader, configured through its own properties
 * file ({@code <workDir>/config/<module>.properties}, owner read/write only since it holds the database password and
 * the bundle keys) named by the system property {@code conflux.service-config-file.conflux-<module>}
 * ({@code io.conflux.service.ServiceConfigFile} in service-common).
 *
 * <p>The JVM's class path is {@link ServicesJvmMain}'s class file, copied to {@code <workDir>/services-jvm/classes},
 * Quarkus' boot libraries ({@code lib/boot}, which must be the same files in every module: one Quarkus version) and
 * the libraries the applications share ({@link SharedLibraries}: byte-identical jars of every module's
 * {@code lib/main} on an allow-list, defined once by the system class loader instead of once per application); the
 * working directory is {@code <workDir>}, the output goes to one log file. Separate service JVMs and a cluster
 * installation do not use this class: their class loading is Quarkus' own.
 *
 * <p>The system property {@value #SHARE_LIBRARIES_PROPERTY} of the JVM that launches (the CLI's, bench/'s) set to
 * {@code false} shares no library (each application loads all of its own, as before sharing), for comparisons and
 * as a way out should a shared library misbehave; unset, or any other value, shares them.
 */
final class ServicesJvm {
    /** The class of the services JVM. */
    static final String MAIN_CLASS = ServicesJvmMain.class.getName();
    /** {@code io.conflux.service.ServiceConfigFile.PROPERTY_PREFIX}: the application name follows. */
    static final String CONFIG_FILE_PROPERTY = "conflux.service-config-file.";
    /** The system property that, {@code false}, turns the sharing of libraries ({@link SharedLibraries}) off. */
    static final String SHARE_LIBRARIES_PROPERTY = "conflux.services-jvm.share-libraries";

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
     * @return the JVM, its launcher answering on the first service's port ({@link ServiceLauncher#atPort} for others)
     * @throws IllegalArgumentException when a module is not packaged
     * @throws IllegalStateException    when the modules' boot libraries differ, or a service does not become ready
     * @throws UncheckedIOException     when a file cannot be written
     */
    static ServiceLauncher start(Path projectRoot, Path workDir, Map<String, Map<String, String>> configs,
                                 List<String> jvmOptions, Map<String, String> env, Path logFile,
                                 Duration readyTimeout) {
        List<String> arguments = new ArrayList<>();
        Map<String, String> systemProperties = new LinkedHashMap<>();
        List<Integer> ports = new ArrayList<>();
        List<Path> applications = new ArrayList<>();
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
            applications.add(app);
        }
        if (bootJars == null) {
            throw new IllegalArgumentException("no service to start");
        }
        List<Path> classPath = new ArrayList<>();
        classPath.add(copyMainClass(workDir.resolve("services-jvm").resolve("classes")));
        classPath.addAll(bootJars);
        if (!"false".equals(System.getProperty(SHARE_LIBRARIES_PROPERTY))) {
            classPath.addAll(SharedLibraries.of(applications).jars());
        }
        return ServiceLauncher.startMain("services", classPath, MAIN_CLASS, arguments, jvmOptions, systemProperties,
            env, workDir, logFile, ports, readyTimeout);
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

    /** Copies {@link ServicesJvmMain}'s class file under {@code dir} (its package's directories) and returns dir. */
    private static Path copyMainClass(Path dir) {
        String resource = MAIN_CLASS.replace('.', '/') + ".class";
        Path target = dir.resolve(resource);
        try (InputStream in = ServicesJvm.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("class file " + resource + " not found on the class path");
            }
            Files.createDirectories(target.getParent());
            Files.write(target, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
        return dir;
    }
}

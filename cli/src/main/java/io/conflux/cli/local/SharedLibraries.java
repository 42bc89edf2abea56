package io.conflux.cli.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Which libraries the packaged Quarkus applications of the one services JVM ({@link ServicesJvm}) share: the jars of
 * their {@code quarkus-app/lib/main} that go on that JVM's class path, so that the system class loader defines their
 * classes once for all applications, instead of each application's {@code RunnerClassLoader} defining its own copy
 * (Quarkus' {@code RunnerClassLoader} is child-first for the jars it indexes; {@link ServicesJvmMain} takes the
 * class-path jars out of each application's index, so their lookups fall through to the parent).
 *
 * <p>A jar is shared when all of these hold; otherwise it stays in every application, as today:
 * <ol>
 * <li>its file name ({@code <groupId>.<artifactId>-<version>[-<classifier>].jar}, Quarkus' naming in {@code lib/main})
 *     starts with one of {@link #ALLOWED}: libraries reviewed for sharing, see there;</li>
 * <li>every application has a jar of that name, and the files are byte for byte the same (the reactor builds them
 *     against one BOM, so they normally are);</li>
 * <li>none of its packages holds a class that stays per application: in a jar of {@code lib/main} not shared, in the
 *     application's own jar ({@code app/}), or rewritten by Quarkus ({@code quarkus/transformed-bytecode.jar}). Such a
 *     split package would put classes of one package in two class loaders, where package-private access fails
 *     ({@code IllegalAccessError}) and a rewritten class would lose to the parent's original. Checked until no more
 *     jar drops out (a dropped jar can split another's package). Quarkus' generated classes
 *     ({@code quarkus/generated-bytecode.jar}) are exempt: ArC names a synthetic bean or client proxy after the
 *     package of its bean type (e.g. {@code io.netty.channel.EventLoopGroup_…_Synthetic_Bean}) and reaches that
 *     public type through public members only.</li>
 * </ol>
 *
 * <p>Why an allow-list and not "every identical jar minus a deny-list": a shared jar's classes resolve their
 * references in the parent only, so the shared set must be closed under its dependencies — one shared jar that uses
 * Vert.x, Mutiny, SmallRye or Quarkus (kept per application below) fails with {@code NoClassDefFoundError} at first
 * use — and every library must be free of static state that each application sets up differently. A deny-list would
 * share each new dependency by default, unreviewed; the allow-list shares only libraries reviewed for both, and a new
 * dependency stays per application (correct, just not shared) until it is added here.
 *
 * <p>Kept per application on purpose (not in {@link #ALLOWED}): Quarkus and ArC (per-application runtime, build-time
 * generated and rewritten classes); SmallRye Config and MicroProfile's APIs ({@code ConfigProviderResolver},
 * {@code CDI.current()}, JAX-RS' {@code RuntimeDelegate}, JPA's provider resolver are static singletons each
 * application sets); Vert.x (Quarkus rewrites {@code io.vertx.core.impl} classes, and its Jackson codec's static mapper
 * is customised per application), Mutiny ({@code Infrastructure}'s static executor and hooks) and the Vert.x-based
 * clients (fabric8's {@code kubernetes-httpclient-vertx}, the reactive PostgreSQL client); Hibernate, Narayana and
 * Agroal (rewritten classes, static transaction-manager configuration); OpenTelemetry, Micrometer and Prometheus'
 * client (static global registries); gRPC (static provider registries); Flyway (not reviewed).
 */
public record SharedLibraries(List<Path> jars, Map<String, String> keptPerApplication) {
    /**
     * File-name prefixes of the libraries that may be shared, each reviewed for (a) dependencies only among these, the
     * JDK and Quarkus' boot libraries (JBoss Logging and LogManager, already on the class path) and (b) no static state
     * that an application configures:
     * <ul>
     * <li>Netty: its static state (the pooled allocator, the leak detector, the logger factory) is configured by
     *     system properties, which are JVM-wide already; one pooled allocator for all four is the point. Its optional
     *     codecs Brotli4j, zstd-jni, LZ4 and Snappy are shared with it (Netty probes them in its own class loader) and
     *     load their native libraries once (a JNI library can be bound to one class loader only);</li>
     * <li>Jackson and SnakeYAML (both engines): mappers are instances per application; Jackson looks classes and
     *     modules up through the thread's context class loader ({@code TypeFactory.findClass},
     *     {@code ObjectMapper.findModules});</li>
     * <li>fabric8's Kubernetes model, client API and client, and zjsonpatch: the deserializer's static default mapping
     *     of kinds to classes is filled from
     *     {@code META-INF/services/io.fabric8.kubernetes.api.model.KubernetesResource}, which only the (shared) model
     *     jars carry, so it holds shared classes only; the HTTP client factory is found
     *     through the context class loader; {@code kubernetes-httpclient-vertx} (Vert.x) stays per application;</li>
     * <li>the Kafka client: serializers and other classes named in configuration are loaded through the context class
     *     loader ({@code Utils.getContextOrKafkaClassLoader}), so an application's own deserializer is found; its
     *     MBeans were JVM-wide already;</li>
     * <li>SLF4J and its JBoss LogManager binding (found by SLF4J in its own class loader; the log manager is a boot
     *     library);</li>
     * <li>the PostgreSQL JDBC driver and SCRAM (the driver registers once with the JVM-wide {@code DriverManager}),
     *     Caffeine, Guava and its annotations, Protobuf, Gson, Apache Commons (codec, io, lang3, compress), JCTools,
     *     Reactive Streams' interfaces, ANTLR's runtime, Classmate: libraries without configuration of their own;</li>
     * <li>Conflux's model ({@code conflux-model}: records and Jackson annotations, one static table read from its own
     *     jar).</li>
     * </ul>
     */
    public static final List<String> ALLOWED = List.of(
        "io.netty.netty-",
        "com.aayushatharva.brotli4j.",
        "com.github.luben.zstd-jni-",
        "org.lz4.lz4-java-",
        "org.xerial.snappy.snappy-java-",
        "com.fasterxml.jackson.",
        "org.yaml.snakeyaml-",
        "org.snakeyaml.snakeyaml-engine-",
        "io.fabric8.kubernetes-model-",
        "io.fabric8.kubernetes-client-api-",
        "io.fabric8.kubernetes-client-",
        "io.fabric8.zjsonpatch-",
        "org.apache.kafka.kafka-clients-",
        "org.slf4j.slf4j-api-",
        "org.jboss.slf4j.slf4j-jboss-logmanager-",
        "org.postgresql.postgresql-",
        "com.ongres.",
        "com.github.ben-manes.caffeine.caffeine-",
        "com.google.guava.",
        "com.google.errorprone.error_prone_annotations-",
        "com.google.j2objc.j2objc-annotations-",
        "org.jspecify.jspecify-",
        "com.google.protobuf.protobuf-java-",
        "com.google.code.gson.gson-",
        "commons-codec.commons-codec-",
        "commons-io.commons-io-",
        "org.apache.commons.commons-lang3-",
        "org.apache.commons.commons-compress-",
        "org.jctools.jctools-core-",
        "org.reactivestreams.reactive-streams-",
        "org.antlr.antlr4-runtime-",
        "com.fasterxml.classmate-",
        "io.conflux.conflux-model-");

    private static final String TRANSFORMED = "quarkus/transformed-bytecode.jar";

    /**
     * @param jars               the shared jars (in the first application's {@code lib/main}), in file-name order
     * @param keptPerApplication allowed jars that stay per application, by file name, with the reason
     */
    public SharedLibraries {
        jars = List.copyOf(jars);
        keptPerApplication = Map.copyOf(keptPerApplication);
    }

    /**
     * Chooses the shared jars of the packaged applications.
     *
     * @param applications the {@code quarkus-app} directories, at least one
     * @return the jars to share and the allowed ones kept per application
     * @throws IllegalArgumentException when {@code applications} is empty
     * @throws UncheckedIOException     when a directory or jar cannot be read
     */
    public static SharedLibraries of(List<Path> applications) {
        if (applications.isEmpty()) {
            throw new IllegalArgumentException("no application");
        }
        Map<String, String> kept = new LinkedHashMap<>();
        List<Set<String>> libraries = new ArrayList<>();
        for (Path application : applications) {
            libraries.add(jarNames(application.resolve("lib").resolve("main")));
        }
        Set<String> candidates = new TreeSet<>();
        for (String name : libraries.get(0)) {
            if (ALLOWED.stream().noneMatch(name::startsWith)) {
                continue;
            }
            String reason = sameInEvery(applications, libraries, name);
            if (reason == null) {
                candidates.add(name);
            } else {
                kept.put(name, reason);
            }
        }
        Map<String, Set<String>> packagesOfJar = new HashMap<>();
        for (String name : candidates) {
            packagesOfJar.put(name, packages(lib(applications.get(0), name)));
        }
        Map<String, String> perApplicationPackages = perApplicationPackages(applications, libraries, candidates);
        boolean changed = true;
        while (changed) {
            changed = false;
            for (String name : List.copyOf(candidates)) {
                for (String p : packagesOfJar.get(name)) {
                    String owner = perApplicationPackages.get(p);
                    if (owner != null) {
                        candidates.remove(name);
                        kept.put(name, "package " + p.replace('/', '.') + " also in " + owner);
                        packagesOfJar.get(name).forEach(q -> perApplicationPackages.putIfAbsent(q, name));
                        changed = true;
                        break;
                    }
                }
            }
        }
        return new SharedLibraries(candidates.stream().map(n -> lib(applications.get(0), n)).toList(), kept);
    }

    /** @return null when every application has the jar with the same bytes, else why not */
    private static String sameInEvery(List<Path> applications, List<Set<String>> libraries, String name) {
        Path first = lib(applications.get(0), name);
        for (int i = 1; i < applications.size(); i++) {
            if (!libraries.get(i).contains(name)) {
                return "not in " + applications.get(i);
            }
            try {
                if (Files.mismatch(first, lib(applications.get(i), name)) != -1) {
                    return "differs in " + applications.get(i);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot compare " + name, e);
            }
        }
        return null;
    }

    /** Packages (as directories) of the classes each application keeps: its other libraries, own jar, rewrites. */
    private static Map<String, String> perApplicationPackages(List<Path> applications, List<Set<String>> libraries,
                                                              Set<String> candidates) {
        Map<String, String> owners = new HashMap<>();
        for (int i = 0; i < applications.size(); i++) {
            Path application = applications.get(i);
            List<Path> jars = new ArrayList<>();
            for (String name : libraries.get(i)) {
                if (!candidates.contains(name)) {
                    jars.add(lib(application, name));
                }
            }
            jars.addAll(jars(application.resolve("app")));
            if (Files.isRegularFile(application.resolve(TRANSFORMED))) {
                jars.add(application.resolve(TRANSFORMED));
            }
            for (Path jar : jars) {
                String owner = application.relativize(jar).toString();
                packages(jar).forEach(p -> owners.putIfAbsent(p, owner));
            }
        }
        return owners;
    }

    private static Path lib(Path application, String name) {
        return application.resolve("lib").resolve("main").resolve(name);
    }

    private static Set<String> jarNames(Path dir) {
        Set<String> names = new TreeSet<>();
        jars(dir).forEach(j -> names.add(j.getFileName().toString()));
        return names;
    }

    private static List<Path> jars(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** The directories of a jar's class files (versioned ones under their package's name), e.g. {@code io/netty}. */
    static Set<String> packages(Path jar) {
        Set<String> packages = new HashSet<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                String name = entries.nextElement().getName();
                if (!name.endsWith(".class")) {
                    continue;
                }
                if (name.startsWith("META-INF/versions/")) {
                    int slash = name.indexOf('/', "META-INF/versions/".length());
                    name = name.substring(slash + 1);
                }
                int last = name.lastIndexOf('/');
                if (last > 0 && !name.startsWith("META-INF/")) {
                    packages.add(name.substring(0, last));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + jar, e);
        }
        return packages;
    }
}

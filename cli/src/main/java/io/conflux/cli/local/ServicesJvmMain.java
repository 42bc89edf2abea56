package io.conflux.cli.local;

import java.io.BufferedInputStream;
import java.io.File;
import java.io.InputStream;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/**
 * The main class of the services JVM of {@code conflux up}'s one-JVM mode ({@link ServicesJvm}): runs several packaged
 * Quarkus applications ({@code <module>/target/quarkus-app}) in this JVM, each in its own Quarkus
 * {@code RunnerClassLoader}, as {@code java -jar quarkus-run.jar} would run each in a JVM of its own.
 *
 * <p>Arguments: one {@code <name>=<quarkus-app directory>} per application. The JVM's class path holds this class,
 * Quarkus' boot libraries ({@code quarkus-app/lib/boot/*.jar}, the same for every application of one Quarkus version)
 * and the libraries the applications share ({@code lib/main} jars chosen by {@link SharedLibraries}): a
 * {@code RunnerClassLoader}'s parent is the system class loader, so everything there is seen by every application.
 * A jar of the class path whose file name is also in an application's index is taken out of that index (the
 * loader's {@code resourceDirectoryMap} and {@code directlyIndexedResourcesIndexMap}, Quarkus 3.29's
 * {@code io.quarkus.bootstrap.runner.RunnerClassLoader}, reached by reflection) before the application loads a class,
 * so the application's lookups of its classes and resources fall through to the system class loader, which defines
 * them once for all; resources ({@code META-INF/services} too) were found parent-first already
 * ({@code ClassLoader.getResource(s)}). Each application starts on a thread of its own named {@code <name>-main},
 * which reads {@code quarkus/quarkus-application.dat} (what Quarkus' {@code QuarkusEntryPoint} does), makes the
 * application's loader that thread's context class loader and runs {@code io.quarkus.runtime.Quarkus.run} with an
 * exit handler instead of Quarkus' default {@code System.exit}. Configuration is per application through
 * {@code io.conflux.service.ServiceConfigFile} (system properties are global here).
 *
 * <p>Shutdown: SIGTERM (or {@code System.exit}) runs every application's own shutdown hook, so all stop together.
 * A crash: an application that fails to start or stops while the JVM is not shutting down ends the whole JVM with its
 * exit code (1 for a zero code), after printing which one it was, so the launcher sees a dead process with the reason
 * in its log rather than a JVM that runs with a service missing.
 *
 * <p>Self-contained on purpose (only the JDK, Quarkus reached by reflection, no nested classes): the launcher copies
 * this one class file out as the JVM's own class path entry.
 */
public final class ServicesJvmMain {
    private static final AtomicBoolean STOPPING = new AtomicBoolean();
    /**
     * How many of its jars each application keeps open after its start ({@link #keepOpen}): the JVM's system property
     * {@code conflux.services-jvm.open-jars}, 32 by default (Quarkus' own is 4).
     */
    static final int OPEN_JARS_AFTER_START = Integer.getInteger("conflux.services-jvm.open-jars", 32);
    /**
     * Whether to collect the start's garbage once every application has started ({@link #collectAfterStart}): the
     * JVM's system property {@code conflux.services-jvm.gc-after-start}, true by default.
     */
    static final boolean GC_AFTER_START = Boolean.parseBoolean(
        System.getProperty("conflux.services-jvm.gc-after-start", "true"));
    /** How long {@link #collectAfterStart} waits for every application to start before it gives up. */
    private static final long START_WAIT_MINUTES = 5;
    /** Each application's class loader, by name, once read. */
    private static final Map<String, ClassLoader> LOADERS = new ConcurrentHashMap<>();

    private ServicesJvmMain() {
    }

    /**
     * Starts the applications and waits for their threads.
     *
     * @param args {@code <name>=<quarkus-app directory>} per application
     * @throws IllegalArgumentException for an argument without {@code =}
     */
    public static void main(String[] args) throws InterruptedException {
        // what QuarkusEntryPoint sets before anything logs (the boot libraries hold the log manager)
        System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> STOPPING.set(true), "services-jvm-stopping"));
        try {
            // Quarkus' "started in" counts from here, as from QuarkusEntryPoint's start (one clock for all four)
            Class.forName("io.quarkus.bootstrap.runner.Timing").getMethod("staticInitStarted", boolean.class)
                .invoke(null, false);
        } catch (ReflectiveOperationException | LinkageError e) {
            System.err.println("services-jvm: no Quarkus start-up timing: " + e);
        }
        List<Thread> threads = new ArrayList<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected <name>=<quarkus-app directory>: " + arg);
            }
            String name = arg.substring(0, eq);
            Path appRoot = Path.of(arg.substring(eq + 1)).toAbsolutePath();
            Thread thread = new Thread(() -> run(name, appRoot), name + "-main");
            threads.add(thread);
            thread.start();
        }
        if (GC_AFTER_START) {
            int applications = args.length;
            Thread gc = new Thread(() -> collectAfterStart(applications), "services-jvm-gc-after-start");
            gc.setDaemon(true);
            gc.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
    }

    private static void run(String name, Path appRoot) {
        BiConsumer<Integer, Throwable> onExit = (code, cause) -> exited(name, code, cause);
        try {
            Object application;
            try (InputStream in = new BufferedInputStream(
                    Files.newInputStream(appRoot.resolve("quarkus/quarkus-application.dat")), 24576)) {
                Class<?> serialized = Class.forName("io.quarkus.bootstrap.runner.SerializedApplication");
                application = serialized.getMethod("read", InputStream.class, Path.class).invoke(null, in, appRoot);
            }
            ClassLoader loader = (ClassLoader) application.getClass().getMethod("getRunnerClassLoader")
                .invoke(application);
            int shared = unindex(loader, classPathJars());
            keepOpen(loader, OPEN_JARS_AFTER_START);
            LOADERS.put(name, loader);
            Thread.currentThread().setContextClassLoader(loader);
            Class<?> quarkus = loader.loadClass("io.quarkus.runtime.Quarkus");
            Method run = quarkus.getMethod("run", Class.class, BiConsumer.class, String[].class);
            System.out.println(java.time.LocalDateTime.now() + " services-jvm: starting " + name + " from " + appRoot
                + " (" + shared + " of its libraries shared through the JVM's class path)");
            run.invoke(null, null, onExit, new String[0]);
        } catch (InvocationTargetException e) {
            exited(name, 1, e.getCause());
        } catch (Exception | LinkageError e) {
            exited(name, 1, e);
        }
    }

    /**
     * Runs one full collection once all {@code applications} have started, before work reaches them. The start leaves
     * some 20–35 MiB of garbage in the old generation (configuration, bootstrap and class-loading buffers); left there,
     * it filled the old generation of {@code -Xms128m} within the first pushes, whose full collection (200–240 ms,
     * serial, C1-only) then landed on one of them (bench/README.md, "The first push after a start"). Collected here,
     * while nothing waits, the old generation keeps room for what the work promotes. Polls every 50 ms, for at most
     * {@value #START_WAIT_MINUTES} minutes; gives up when the JVM is stopping.
     *
     * @param applications how many applications this JVM runs
     */
    static void collectAfterStart(int applications) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(START_WAIT_MINUTES);
        try {
            while (!allStarted(LOADERS.values(), applications)) {
                if (STOPPING.get() || System.nanoTime() > deadline) {
                    return;
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        long started = System.nanoTime();
        System.gc();
        System.out.println(LocalDateTime.now() + " services-jvm: all " + applications + " applications started; the"
            + " start's garbage collected in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms");
    }

    /**
     * @param loaders      the applications' class loaders read so far
     * @param applications how many there are to be
     * @return whether there are {@code applications} loaders and every one's application has {@link #started}
     */
    static boolean allStarted(Collection<ClassLoader> loaders, int applications) {
        if (loaders.size() < applications) {
            return false;
        }
        for (ClassLoader loader : loaders) {
            if (!started(loader)) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param loader an application's class loader
     * @return whether the Quarkus application it runs has started: {@code io.quarkus.runtime.Application}'s
     *         {@code currentApplication().isStarted()} as that loader sees it (Quarkus 3.29); false when there is none
     *         yet or it cannot be read
     */
    static boolean started(ClassLoader loader) {
        try {
            Class<?> application = Class.forName("io.quarkus.runtime.Application", false, loader);
            Object current = application.getMethod("currentApplication").invoke(null);
            return current != null && Boolean.TRUE.equals(application.getMethod("isStarted").invoke(current));
        } catch (ReflectiveOperationException | LinkageError e) {
            return false;
        }
    }

    /**
     * Makes a Quarkus application class loader keep up to {@code jars} of its jars open once the application has
     * started, instead of Quarkus 3.29's 4 (the length of {@code RunnerClassLoader.currentlyBufferedResources}, a
     * most-recently-used list: after the start Quarkus closes every jar, and a class loaded from a jar not among the
     * last ones used opens it again and closes the least recently used one). A first webhook after the start loads some
     * 400 classes from ~30 jars in turn, and with 4 open each was opened again and again: the central directory read
     * each time (~4 ms for hibernate-core) and, for a signed jar (JGit, BouncyCastle), its signature verified again
     * (~25 ms and ~70 ms). Called before the application loads a class; the jars are still opened on demand.
     *
     * @param loader the application's {@code io.quarkus.bootstrap.runner.RunnerClassLoader} (Quarkus 3.29)
     * @param jars   how many jars it may keep open, at least 4
     * @throws ReflectiveOperationException when the loader is not such a {@code RunnerClassLoader}
     */
    static void keepOpen(ClassLoader loader, int jars) throws ReflectiveOperationException {
        Field field = loader.getClass().getDeclaredField("currentlyBufferedResources");
        field.setAccessible(true);
        Object[] open = (Object[]) field.get(loader);
        if (jars > open.length) {
            field.set(loader, Array.newInstance(open.getClass().getComponentType(), jars));
        }
    }

    /** @return the file names of the jars on the JVM's class path */
    private static Set<String> classPathJars() {
        Set<String> jars = new HashSet<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.endsWith(".jar")) {
                jars.add(Path.of(entry).getFileName().toString());
            }
        }
        return jars;
    }

    /**
     * Takes jars out of a Quarkus application class loader's index, so that its lookups of their classes and
     * resources go to its parent.
     *
     * @param loader    the application's {@code io.quarkus.bootstrap.runner.RunnerClassLoader} (Quarkus 3.29), before
     *                  it has loaded a class
     * @param classPath file names of the jars to take out (those of the JVM's class path)
     * @return how many of the loader's jars were taken out
     * @throws ReflectiveOperationException when the loader is not such a {@code RunnerClassLoader}
     */
    static int unindex(ClassLoader loader, Set<String> classPath) throws ReflectiveOperationException {
        Map<Object, String> jarNames = new IdentityHashMap<>();
        Set<Object> removed = new HashSet<>();
        for (String name : List.of("resourceDirectoryMap", "directlyIndexedResourcesIndexMap")) {
            Field field = loader.getClass().getDeclaredField(name);
            field.setAccessible(true);
            @SuppressWarnings("unchecked")
            Map<String, Object[]> index = (Map<String, Object[]>) field.get(loader);
            for (Iterator<Map.Entry<String, Object[]>> it = index.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, Object[]> entry = it.next();
                Object[] resources = entry.getValue();
                List<Object> kept = new ArrayList<>(resources.length);
                for (Object resource : resources) {
                    String jar = jarNames.get(resource);
                    if (jar == null) {
                        jar = jarName(resource);
                        jarNames.put(resource, jar);
                    }
                    if (classPath.contains(jar)) {
                        removed.add(resource);
                    } else {
                        kept.add(resource);
                    }
                }
                if (kept.isEmpty()) {
                    it.remove();
                } else if (kept.size() < resources.length) {
                    Object[] array = (Object[]) Array.newInstance(resources.getClass().getComponentType(), kept.size());
                    entry.setValue(kept.toArray(array));
                }
            }
        }
        return removed.size();
    }

    /** @return the file name of a {@code JarResource}'s jar, "" for another kind of resource */
    private static String jarName(Object resource) throws ReflectiveOperationException {
        if (!resource.getClass().getName().equals("io.quarkus.bootstrap.runner.JarResource")) {
            return "";
        }
        Field jarPath = resource.getClass().getDeclaredField("jarPath");
        jarPath.setAccessible(true);
        return ((Path) jarPath.get(resource)).getFileName().toString();
    }

    private static void exited(String name, int code, Throwable cause) {
        if (STOPPING.get() && code == 0) {
            return;
        }
        System.err.println("services-jvm: " + name + " exited with code " + code
            + (STOPPING.get() ? " while stopping" : "; stopping the services JVM"));
        if (cause != null) {
            cause.printStackTrace();
        }
        if (!STOPPING.get()) {
            int status = code == 0 ? 1 : code;
            // System.exit waits for the shutdown hooks, which wait for this application's thread: not on it
            Thread exit = new Thread(() -> System.exit(status), "services-jvm-exit");
            exit.setDaemon(true);
            exit.start();
        }
    }
}

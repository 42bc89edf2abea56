package io.conflux.renderer.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.Kustomizer;
import io.conflux.model.meta.FluxReasons;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BoundedBuildTest {
    final BoundedBuild builds = new BoundedBuild(2, 1);

    @AfterEach
    void stop() {
        builds.close();
    }

    @Test
    void aBuildWithinTheTimeoutGivesItsOutcome() {
        RenderOutcome done = RenderOutcome.of(Bundle.of("[]", 0));
        assertThat(builds.within("Kustomization/ns/a", Duration.ofSeconds(10), () -> done)).isSameAs(done);
    }

    @Test
    void aBuildPastTheTimeoutFailsRetryablyAndIsInterrupted() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        RenderOutcome outcome = builds.within("Kustomization/ns/a", Duration.ofSeconds(1), () -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
            return RenderOutcome.of(Bundle.of("[]", 0));
        });

        assertThat(outcome.bundle()).isNull();
        assertThat(outcome.reason()).isEqualTo(FluxReasons.BUILD_FAILED);
        assertThat(outcome.message()).isEqualTo("build timed out after 1s");
        assertThat(outcome.deterministic()).as("retried at retryInterval").isFalse();
        assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aBuildThatThrowsIsABugNotAnOutcome() {
        assertThatThrownBy(() -> builds.within("Kustomization/ns/a", Duration.ofSeconds(10), () -> {
            throw new IllegalArgumentException("boom");
        })).isInstanceOf(IllegalStateException.class).hasMessageContaining("boom");
    }

    /**
     * A kustomize build with a huge but legal amount of work (thousands of Deployments, each looked up against
     * thousands of ConfigMaps by the name-reference transformer, under a prefix and labels) that takes far longer than
     * its timeout: after the timeout it stops at the engine's next checkpoint and frees its worker. Before, the
     * engine never looked at interruption and the build ran on to its end in the background.
     */
    @Test
    void aKustomizeBuildPastTheTimeoutReallyStopsAndFreesItsWorker() throws Exception {
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
            Path app = Files.createDirectories(fs.getPath("/repo/app"));
            StringBuilder objects = new StringBuilder();
            int n = 6_000;
            for (int i = 0; i < n; i++) {
                objects.append("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm").append(i)
                        .append("\ndata:\n  k: v\n");
                objects.append("---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d").append(i)
                        .append("\nspec:\n  template:\n    spec:\n      volumes:\n      - name: v\n        configMap:\n")
                        .append("          name: cm").append(i).append("\n      containers:\n      - name: c\n")
                        .append("        image: nginx\n        envFrom:\n        - configMapRef:\n            name: cm")
                        .append(i).append('\n');
            }
            Files.writeString(app.resolve("objects.yaml"), objects);
            Files.writeString(app.resolve("kustomization.yaml"), """
                    namePrefix: p-
                    commonLabels:
                      team: a
                    resources:
                    - objects.yaml
                    """);
            AtomicReference<Throwable> stoppedWith = new AtomicReference<>();
            CountDownLatch started = new CountDownLatch(1);
            RenderOutcome outcome = builds.within("Kustomization/ns/huge", Duration.ofSeconds(1), () -> {
                started.countDown();
                try {
                    Kustomizer.create().build(app);
                } catch (KustomizeException e) {
                    stoppedWith.set(e);
                }
                return RenderOutcome.of(Bundle.of("[]", 0));
            });
            assertThat(started.await(0, TimeUnit.SECONDS)).isTrue();
            assertThat(outcome.message()).isEqualTo("build timed out after 1s");

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (builds.active() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(builds.active()).as("the timed-out build's worker is free again").isZero();
            assertThat(stoppedWith.get()).hasMessageContaining("build cancelled");
            assertThat(builds.within("Kustomization/ns/huge", Duration.ofSeconds(1), () -> RenderOutcome.of(Bundle.of("[]", 0)))
                    .bundle()).as("the next build of the object runs").isNotNull();
        }
    }

    @Test
    void anObjectsNextBuildWaitsUntilItsTimedOutBuildHasStopped() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        RenderOutcome first = builds.within("Kustomization/ns/a", Duration.ofSeconds(1), () -> {
            while (true) { // a build that notices its interruption late
                try {
                    release.await();
                    return RenderOutcome.of(Bundle.of("[]", 0));
                } catch (InterruptedException e) {
                    // keeps running until released
                }
            }
        });
        assertThat(first.message()).isEqualTo("build timed out after 1s");

        RenderOutcome second = builds.within("Kustomization/ns/a", Duration.ofSeconds(1), () -> RenderOutcome.of(Bundle.of("[]", 0)));
        assertThat(second.bundle()).as("never two builds of one object at once").isNull();
        assertThat(second.deterministic()).isFalse();
        assertThat(second.message()).isEqualTo("a previous build of Kustomization/ns/a timed out and is still stopping");
        assertThat(builds.within("Kustomization/ns/b", Duration.ofSeconds(5), () -> RenderOutcome.of(Bundle.of("[]", 0)))
                .bundle()).as("other objects build meanwhile").isNotNull();

        release.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (builds.active() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(builds.within("Kustomization/ns/a", Duration.ofSeconds(5), () -> RenderOutcome.of(Bundle.of("[]", 0)))
                .bundle()).as("once stopped, the object builds again").isNotNull();
    }

    @Test
    void aBuildBeyondWorkersAndQueueWaitsForAPlace() throws Exception {
        whileFull((callers, release) -> {
            Future<RenderOutcome> waiting = callers.submit(() -> builds.within("Kustomization/ns/other",
                    Duration.ofSeconds(30), () -> RenderOutcome.of(Bundle.of("[]", 0))));
            Thread.sleep(300);
            assertThat(waiting.isDone()).as("no place yet: the build waits instead of being refused").isFalse();
            release.countDown();
            assertThat(waiting.get(10, TimeUnit.SECONDS).bundle()).as("built once a place freed").isNotNull();
        });
    }

    @Test
    void aBuildThatFindsNoPlaceWithinItsTimeoutIsRefused() throws Exception {
        whileFull((callers, release) -> {
            RenderOutcome refused = builds.within("Kustomization/ns/other", Duration.ofSeconds(1),
                    () -> RenderOutcome.of(Bundle.of("[]", 0)));
            assertThat(refused.bundle()).isNull();
            assertThat(refused.deterministic()).isFalse();
            assertThat(refused.message())
                    .isEqualTo("renderer busy: all 2 build workers were taken and 1 builds waited for 1s");
        });
        assertThat(builds.within("Kustomization/ns/other", Duration.ofSeconds(5),
                () -> RenderOutcome.of(Bundle.of("[]", 0))).bundle()).as("the places came back").isNotNull();
    }

    /** What a test does while both workers and the one queue place are taken ({@link #whileFull}). */
    private interface WhileFull {
        /**
         * @param callers a pool with one thread free for the test's own build
         * @param release counted down to let the builds holding the places finish
         */
        void run(ExecutorService callers, CountDownLatch release) throws Exception;
    }

    /** Fills the workers and the queue ({@link #fill}), runs {@code body}, then releases the builds and stops them. */
    private void whileFull(WhileFull body) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            fill(callers, release);
            body.run(callers, release);
        } finally {
            release.countDown();
            callers.shutdown();
            assertThat(callers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** Takes both workers and the one queue place with builds that wait for {@code release}. */
    private void fill(ExecutorService callers, CountDownLatch release) throws Exception {
        for (int i = 0; i < 3; i++) {
            String key = "Kustomization/ns/slow" + i;
            callers.submit(() -> builds.within(key, Duration.ofSeconds(30), () -> {
                release.await();
                return RenderOutcome.of(Bundle.of("[]", 0));
            }));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (builds.active() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(200); // the third build takes the one queue place
    }
}

package io.conflux.renderer.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conflux.model.helm.HelmRelease;
import io.conflux.model.meta.ObjectKey;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The dependency requeue's waits: Flux's {@code --requeue-dependency} first, doubling, capped; its waiters by source. */
class SourceWaitersTest {
    private static final ObjectKey RELEASE = new ObjectKey(HelmRelease.KIND, "apps", "podinfo");
    private static final ObjectKey REPOSITORY = new ObjectKey("HelmRepository", "flux-system", "podinfo");
    private static final ObjectKey OTHER = new ObjectKey("HelmRepository", "flux-system", "other");

    @Test
    void theWaitStartsAtRequeueDependencyAndDoublesUpToTheRetryInterval() {
        SourceWaiters waiters = new SourceWaiters(Duration.ofSeconds(30));
        Duration most = Duration.ofMinutes(5);
        assertThat(waiters.waiting(RELEASE, REPOSITORY, release(), most)).isEqualTo(Duration.ofSeconds(30));
        assertThat(waiters.waiting(RELEASE, REPOSITORY, release(), most)).isEqualTo(Duration.ofMinutes(1));
        assertThat(waiters.waiting(RELEASE, REPOSITORY, release(), most)).isEqualTo(Duration.ofMinutes(2));
        assertThat(waiters.waiting(RELEASE, REPOSITORY, release(), most)).isEqualTo(Duration.ofMinutes(4));
        assertThat(waiters.waiting(RELEASE, REPOSITORY, release(), most)).isEqualTo(most);
        for (int i = 0; i < 100; i++) {
            assertThat(waiters.waiting(RELEASE, REPOSITORY, release(), most)).isEqualTo(most);
        }
    }

    @Test
    void aRenderThatNoLongerWaitsOrWaitsForAnotherSourceStartsAgain() {
        SourceWaiters waiters = new SourceWaiters(Duration.ofSeconds(30));
        Duration most = Duration.ofHours(1);
        waiters.waiting(RELEASE, REPOSITORY, release(), most);
        assertThat(waiters.waiting(RELEASE, REPOSITORY, release(), most)).isEqualTo(Duration.ofMinutes(1));
        assertThat(waiters.waiting(RELEASE, OTHER, release(), most)).as("another source").isEqualTo(Duration.ofSeconds(30));
        waiters.done(RELEASE);
        assertThat(waiters.of(OTHER)).isEmpty();
        assertThat(waiters.waiting(RELEASE, OTHER, release(), most)).as("after done").isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void anIntervalShorterThanRequeueDependencyIsNotShortened() {
        SourceWaiters waiters = new SourceWaiters(Duration.ofSeconds(30));
        assertThat(waiters.waiting(RELEASE, REPOSITORY, release(), Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(30));
        assertThat(waiters.waiting(RELEASE, REPOSITORY, release(), Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void theWaitersOfASourceAreTheObjectsLastRendered() {
        SourceWaiters waiters = new SourceWaiters(Duration.ofSeconds(30));
        HelmRelease first = release();
        HelmRelease second = release();
        second.getMetadata().setGeneration(2L);
        waiters.waiting(RELEASE, REPOSITORY, first, Duration.ofHours(1));
        waiters.waiting(RELEASE, REPOSITORY, second, Duration.ofHours(1));
        assertThat(waiters.of(REPOSITORY)).containsExactly(second);
        assertThat(waiters.of(OTHER)).isEmpty();
    }

    @Test
    void aZeroRequeueDependencyIsRefused() {
        assertThatThrownBy(() -> new SourceWaiters(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("conflux.renderer.requeue-dependency");
    }

    private static HelmRelease release() {
        HelmRelease hr = new HelmRelease();
        hr.setMetadata(new ObjectMetaBuilder().withNamespace(RELEASE.namespace()).withName(RELEASE.name())
                .withGeneration(1L).build());
        return hr;
    }
}

package io.conflux.renderer.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conflux.renderer.persist.BundleStore;
import io.conflux.service.Outbox;
import io.conflux.service.ReactiveRunner;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * #12, no lost update: a render is recorded and published together or not at all. Before, the render record was
 * committed and the result then sent to Kafka; when the send failed the input was already "settled", so rendering it
 * again published nothing and the render was lost. Now the result goes into {@code renderer_outbox} in the render
 * record's transaction: while Kafka is down (this module's tests have no broker) it waits there for the relay, and
 * when it cannot be written the render record is rolled back with it, so rendering again publishes it.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedDatabase.class)
class NoLostRenderTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    ReactiveRunner runner;
    @Inject
    BundleStore bundleStore;
    @Inject
    Outbox outbox;

    @Test
    void aRenderIsRecordedAndPublishedTogetherOrNotAtAll() {
        TestCoordinators.Published published = new TestCoordinators.Published(runner);
        RenderRecorder recorder = new RenderRecorder(bundleStore, outbox);
        RenderInput input = new RenderInput("Kustomization/lost/apps-" + System.nanoTime(), 1,
                "main@sha1:" + "a".repeat(40), 1L, "", "", "");
        RenderOutcome outcome = RenderOutcome.failed("BuildFailed", "kustomization.yaml: bad");

        sql("CREATE OR REPLACE FUNCTION conflux_test_refuse_outbox() RETURNS trigger AS $$"
                + " BEGIN RAISE EXCEPTION 'renderer_outbox refused by the test'; END $$ LANGUAGE plpgsql");
        sql("CREATE TRIGGER conflux_test_refuse_outbox BEFORE INSERT ON renderer_outbox"
                + " FOR EACH ROW EXECUTE FUNCTION conflux_test_refuse_outbox()");
        try {
            assertThatThrownBy(() -> render(recorder, input, outcome))
                    .hasStackTraceContaining("renderer_outbox refused by the test");
        } finally {
            sql("DROP TRIGGER IF EXISTS conflux_test_refuse_outbox ON renderer_outbox");
        }
        assertThat(published.list()).isEmpty();
        assertThat(runner.run(blocking -> recorder.needless(input)).await().atMost(WAIT))
                .as("the render record was rolled back with the result").isEmpty();

        // rendered again (the object's next run): recorded and in the outbox, where it waits for Kafka
        render(recorder, input, outcome);
        assertThat(published.list()).singleElement().satisfies(r -> {
            assertThat(r.object()).isEqualTo(input.objectKey());
            assertThat(r.sourceSequence()).isEqualTo(1L);
        });
        assertThat(runner.run(blocking -> recorder.needless(input)).await().atMost(WAIT)).contains("already rendered");
    }

    /** What the coordinator does for a render whose input is known: skip when needless, else record. */
    private void render(RenderRecorder recorder, RenderInput input, RenderOutcome outcome) {
        runner.run(blocking -> recorder.needless(input).chain(needless -> needless.isPresent()
                ? Uni.createFrom().voidItem() : recorder.record(input, outcome))).await().atMost(WAIT);
    }

    private void sql(String statement) {
        runner.run(blocking -> Panache.withTransaction(() -> Panache.getSession()
                .chain(session -> session.createNativeQuery(statement).executeUpdate()))).await().atMost(WAIT);
    }
}

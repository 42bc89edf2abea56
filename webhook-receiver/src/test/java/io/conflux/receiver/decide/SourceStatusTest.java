package io.conflux.receiver.decide;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.model.meta.Condition;
import io.conflux.model.source.Artifact;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.GitRepositoryStatus;
import io.conflux.model.source.Revision;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which GitRepository statuses tell the receiver that the renderer could not fetch the revision it published. */
class SourceStatusTest {
    private static final Revision R1 = new Revision("main", "1".repeat(40));
    private static final Revision R2 = new Revision("main", "2".repeat(40));
    private static final Condition FETCH_FAILED = new Condition(SourceStatus.FETCH_FAILED, "True", 1L, null,
            "GitOperationFailed", "failed to checkout and determine revision: unable to clone 'https://x': refused");

    @Test
    void theRendererPuttingTheLastGoodArtifactBackMeansNotFetched() {
        // the renderer failed r2 and put r1 back (or had none to put back)
        assertThat(SourceStatus.notFetched(repo(R1, FETCH_FAILED), R2)).isTrue();
        assertThat(SourceStatus.notFetched(repo(null, FETCH_FAILED), R2)).isTrue();
        // the receiver's own ls-remote failure keeps the artifact of the revision it resolved
        assertThat(SourceStatus.notFetched(repo(R2, FETCH_FAILED), R2)).isFalse();
        // no failed fetch: the status may lag, it is not a refusal
        assertThat(SourceStatus.notFetched(repo(R1), R2)).isFalse();
        assertThat(SourceStatus.notFetched(repo(R2), R2)).isFalse();
    }

    private static GitRepository repo(Revision artifact, Condition... conditions) {
        GitRepository g = new GitRepository();
        g.setMetadata(new ObjectMetaBuilder().withNamespace("default").withName("apps").withGeneration(1L).build());
        g.setStatus(new GitRepositoryStatus(1L, List.of(conditions),
                artifact == null ? null : new Artifact(artifact.toString(), null, null, null, null)));
        return g;
    }
}

package io.conflux.renderer.render;

import io.conflux.git.GitException;
import io.conflux.git.GitMirror;
import io.conflux.git.GitSource;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.GitRepositoryRef;
import io.conflux.model.source.GitRepositorySpec;
import io.conflux.model.source.Revision;
import io.conflux.model.topic.SourceRevision;
import java.util.Optional;

/**
 * Whether a published source revision is what its GitRepository tracks now, checked when the renderer fetches it, so
 * that a commit that is not the tip of the tracked ref is never rendered, whatever a {@code conflux.source-revisions}
 * record names (one written to Kafka by someone other than the receiver, or one the ref has moved on from). As Flux's
 * source-controller checks out what the ref resolves to when it fetches:
 * <ul>
 *   <li>the tracked URL and ref are the GitRepository's {@code spec.url} and {@code spec.ref} (the record's own only
 *       while the renderer has not seen the object); a record naming another URL is refused;</li>
 *   <li>the mirror is fetched ({@link GitMirror#fetchRefs}) and the ref resolved with Flux's precedence
 *       ({@code commit}, {@code name}, {@code semver}, {@code tag}, {@code branch}, default {@code master}); the
 *       record's revision must be that revision exactly (ref name and commit). A pinned {@code ref.commit} is the tip
 *       by definition: the record must name that commit, which must exist in the remote ({@link GitMirror#checkout}
 *       fails otherwise); {@code ref.tag} is compared with the tag's commit (annotated tags peeled);
 *       {@code ref.semver} with the newest matching tag; {@code ref.name} with that ref, fetched as well.</li>
 * </ul>
 */
final class SourceTip {
    private final GitMirror mirror;

    /** @param mirror the renderer's mirrors */
    SourceTip(GitMirror mirror) {
        this.mirror = mirror;
    }

    /**
     * @param record     the published revision
     * @param repository the GitRepository as the renderer sees it, if it does
     * @param source     what the record's revision is read from ({@link GitSources#resolve}: credentials, timeout)
     * @return empty when the record's revision is what the tracked ref of the tracked URL points at now; otherwise why
     *         not (no secret in it)
     * @throws GitException             when the fetch fails, or the tracked ref no longer exists
     * @throws IllegalArgumentException when the record's revision or a semver range does not parse
     */
    Optional<String> stale(SourceRevision record, Optional<GitRepository> repository, GitSource source) {
        Optional<GitRepositorySpec> spec = repository.map(GitRepository::getSpec);
        String url = spec.map(GitRepositorySpec::url).orElse(record.url());
        if (url == null || !url.equals(record.url())) {
            return Optional.of("revision " + record.revision() + " names URL '" + record.url()
                    + "', not the GitRepository's spec.url '" + url + "'");
        }
        GitRepositoryRef ref = spec.isPresent() ? spec.get().ref() : record.ref();
        GitRepositoryRef tracked = ref == null ? GitRepositoryRef.DEFAULT : ref;
        Revision tip = mirror.fetchRefs(source.key(), url, tracked, source.credentials().get(), source.timeout())
                .current(tracked);
        Revision named = Revision.parse(record.revision());
        if (tip.equals(named)) {
            return Optional.empty();
        }
        return Optional.of("revision " + named + " is not what the GitRepository's ref points at in '" + url
                + "' now (" + tip + ")");
    }
}

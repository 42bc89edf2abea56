package io.conflux.git;

import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.Revision;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * What a GitRepository's artifact is made of, as Flux's source-controller builds it: one revision of its URL, fetched
 * with its credentials within its timeout, the content of other GitRepositories' artifacts included
 * ({@code spec.include}), then its ignore rules applied. Written out by {@link SourceTree}.
 *
 * @param key         the GitRepository ({@code GitRepository/<namespace>/<name>}): whose mirror is read
 *                    ({@link GitMirror}); its name is the default {@code toPath} of an include of it
 * @param url         repository URL as written in the GitRepository (checked and rewritten by {@link GitMirror})
 * @param revision    the revision to read, e.g. {@code main@sha1:<hex>}
 * @param credentials its {@code spec.secretRef} credentials ({@link GitCredentials#NONE} without one), asked for only
 *                    when the mirror has to fetch: a commit already mirrored is read without them, so a render of a
 *                    fetched revision reads no Secret (as Flux's kustomize-controller never reads its source's)
 * @param timeout     its {@code spec.timeout}, null for the mirror's default
 * @param ignore      its {@code spec.ignore}, null when unset
 * @param includes    its {@code spec.include} entries, resolved to the included repositories' own sources
 */
public record GitSource(ObjectKey key, String url, Revision revision, Supplier<GitCredentials> credentials,
                        Duration timeout, String ignore, List<Include> includes) {

    public GitSource {
        credentials = credentials == null ? () -> GitCredentials.NONE : credentials;
        includes = includes == null ? List.of() : List.copyOf(includes);
    }

    /** As the canonical constructor, with credentials already read. */
    public GitSource(ObjectKey key, String url, Revision revision, GitCredentials credentials, Duration timeout,
                     String ignore, List<Include> includes) {
        this(key, url, revision, () -> credentials == null ? GitCredentials.NONE : credentials, timeout, ignore, includes);
    }

    /**
     * @param key      the GitRepository
     * @param url      repository URL as written in it
     * @param revision the revision to read
     * @return a source without credentials, ignore rules or includes
     */
    public static GitSource of(ObjectKey key, String url, Revision revision) {
        return new GitSource(key, url, revision, GitCredentials.NONE, null, null, List.of());
    }

    /** @return the GitRepository's name, null when the key is */
    public String name() {
        return key == null ? null : key.name();
    }

    /**
     * One {@code spec.include} entry (Flux {@code GitRepositoryInclude}).
     *
     * @param source   the included GitRepository's source (its own includes and ignore rules apply to it first)
     * @param fromPath path inside the included artifact to copy; null or empty for all of it
     * @param toPath   where it goes in the including tree; null or empty for the included repository's name
     */
    public record Include(GitSource source, String fromPath, String toPath) {
    }
}

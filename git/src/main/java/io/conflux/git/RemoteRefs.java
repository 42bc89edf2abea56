package io.conflux.git;

import io.conflux.model.source.GitRepositoryRef;
import io.conflux.model.source.Revision;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.LsRemoteCommand;
import org.eclipse.jgit.lib.Ref;

/**
 * The refs a remote advertises ({@code git ls-remote}), and their resolution to a Flux revision for a
 * {@code GitRepository.spec.ref}.
 *
 * @param url  the URL that was listed (after rewriting)
 * @param refs full ref name ({@code refs/heads/main}, {@code refs/tags/v1.0.0}) → commit sha; annotated tags
 *             are peeled to their commit
 */
public record RemoteRefs(String url, Map<String, String> refs) {

    /**
     * Lists the refs of {@code url} (heads and tags), anonymously.
     *
     * @param timeout bound of the network operation, rounded up to whole seconds
     * @throws GitException when the remote cannot be reached or is not a repository
     */
    public static RemoteRefs list(String url, Duration timeout) {
        return list(url, timeout, GitCredentials.NONE);
    }

    /**
     * Lists the refs of {@code url} (heads and tags, annotated tags peeled to their commit), authenticated with
     * {@code credentials} ({@code git ls-remote}), without a size bound.
     *
     * @param url         repository URL, already rewritten ({@link GitUrlRewriter})
     * @param timeout     bound of the network operation
     * @param credentials HTTPS or SSH credentials, {@link GitCredentials#NONE} for anonymous access
     * @throws GitException when the remote cannot be reached, refuses the credentials or is not a repository
     */
    public static RemoteRefs list(String url, Duration timeout, GitCredentials credentials) {
        return list(url, new GitTransfer(credentials, timeout, GitTransfer.UNBOUNDED));
    }

    /**
     * Lists the refs of {@code url} (all of them — heads, tags, and others such as {@code refs/pull/N/head} that
     * {@code ref.name} may name; annotated tags peeled to their commit) with {@code transfer}'s credentials and bounds
     * ({@code git ls-remote}).
     *
     * @param url      repository URL, already rewritten ({@link GitUrlRewriter}); https, ssh, scp-like or local
     * @param transfer credentials, time and size bounds
     * @throws GitAuthenticationException when the credentials cannot be used for the URL (e.g. SSH without
     *                                    {@code known_hosts})
     * @throws GitException               when the remote cannot be reached, refuses the credentials or its host key
     *                                    does not match, is not a repository, or a bound is exceeded; the message
     *                                    starts with {@code ls-remote <url> failed:}
     */
    public static RemoteRefs list(String url, GitTransfer transfer) {
        try {
            LsRemoteCommand command = Git.lsRemoteRepository()
                    .setRemote(url);
            Map<String, String> refs = new LinkedHashMap<>();
            for (Ref ref : transfer.call(command)) {
                String sha = ref.getPeeledObjectId() != null ? ref.getPeeledObjectId().name()
                        : ref.getObjectId() == null ? null : ref.getObjectId().name();
                if (sha != null) {
                    refs.put(ref.getName(), sha);
                }
            }
            return new RemoteRefs(url, refs);
        } catch (GitAuthenticationException e) {
            throw new GitAuthenticationException("ls-remote " + url + " failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new GitException("ls-remote " + url + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Resolves a ref as Flux's source-controller does for branch, tag, name and commit (semver is resolved
     * by the caller from {@link #refs()}). Precedence: commit, name, tag, branch; no ref means branch
     * {@code master}.
     *
     * @return the revision, e.g. {@code main@sha1:<hex>}
     * @throws GitException when the ref is not advertised
     */
    public Revision resolve(GitRepositoryRef ref) {
        GitRepositoryRef r = ref == null ? GitRepositoryRef.DEFAULT : ref;
        if (r.commit() != null && !r.commit().isEmpty()) {
            return new Revision(r.branch(), r.commit().toLowerCase(java.util.Locale.ROOT));
        }
        if (r.name() != null && !r.name().isEmpty()) {
            return new Revision(r.name(), require(r.name()));
        }
        if (r.tag() != null && !r.tag().isEmpty()) {
            return new Revision(r.tag(), require("refs/tags/" + r.tag()));
        }
        String branch = r.branch() == null || r.branch().isEmpty() ? "master" : r.branch();
        return new Revision(branch, require("refs/heads/" + branch));
    }

    /**
     * Resolves a {@code GitRepository.spec.ref} as Flux's source-controller checks it out, with Flux's whole
     * precedence: {@code commit}, {@code name}, {@code semver} ({@link SemverRefs}), {@code tag}, {@code branch} (no
     * ref means branch {@code master}). This is what the receiver publishes and what the renderer checks a published
     * revision against.
     *
     * @param ref the ref, null for the default
     * @return the revision, e.g. {@code main@sha1:<hex>} or {@code v1.1.0@sha1:<hex>}
     * @throws GitException             when the ref is not advertised or no tag matches the semver range
     * @throws IllegalArgumentException when the semver range does not parse
     */
    public Revision current(GitRepositoryRef ref) {
        GitRepositoryRef r = ref == null ? GitRepositoryRef.DEFAULT : ref;
        boolean exact = present(r.commit()) || present(r.name());
        if (!exact && present(r.semver())) {
            return SemverRefs.resolve(this, r.semver());
        }
        return resolve(r);
    }

    private static boolean present(String s) {
        return s != null && !s.isEmpty();
    }

    private String require(String refName) {
        String sha = refs.get(refName);
        if (sha == null) {
            throw new GitException("ref " + refName + " not found in " + url);
        }
        return sha;
    }
}

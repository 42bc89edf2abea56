package io.conflux.git;

import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.GitRepositoryRef;
import io.conflux.model.source.Revision;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Bare mirrors of remote repositories, one per GitRepository object and (rewritten) URL, fetched incrementally, and
 * read at an exact commit into any {@link java.nio.file.FileSystem} (the renderer uses an in-memory one).
 *
 * <p><b>Why per object.</b> A commit already in a mirror is read without asking the remote, so whoever can read a
 * mirror can read what was fetched into it with the credentials of whoever fetched it. Mirrors are therefore never
 * shared between GitRepositories: one lives at {@code <mirrorsDir>/<sha256(kind/namespace/name)>/<sha256(rewritten url)>}
 * (full SHA-256 hex digests), so tenant B naming the URL of tenant A's private repository without credentials gets a mirror of
 * its own, whose fetch the remote refuses. This is what Flux's source-controller does, which clones for each
 * GitRepository object. The alternative, one mirror per URL re-authenticated before every read, was not chosen: it
 * costs a round trip per render and fails every render during an outage of the remote, when Flux keeps serving the
 * last artifact. The cost is disk: a repository named by N GitRepositories is mirrored N times (as Flux stores N
 * artifacts); {@link #forget} removes an object's mirrors when it is deleted. An included repository
 * ({@code spec.include}) is read through its own GitRepository's mirror, with its own credentials.
 *
 * <p>The URL is the tenant's {@code spec.url}: it must be an http, https or ssh URL ({@link GitRepositoryUrl}), and is
 * rewritten after that check by the operator's rewrites ({@link GitUrlRewriter#remote}), the only way to a local
 * repository.
 *
 * <p>{@link #checkout} reads whatever commit it is given once it is in the mirror, whichever ref holds it (or held
 * it): a caller that must only read what a ref points at now — the renderer, for a published source revision — first
 * calls {@link #fetchRefs}, which fetches and answers what the mirror's refs point at, and compares.
 *
 * <p>Thread-safe: operations on the same object's mirrors are serialized; different objects proceed in parallel.
 */
public final class GitMirror {
    private static final List<RefSpec> REF_SPECS = List.of(
            new RefSpec("+refs/heads/*:refs/heads/*"),
            new RefSpec("+refs/tags/*:refs/tags/*"));

    private final Path mirrorsDir;
    private final GitUrlRewriter rewriter;
    private final Duration timeout;
    private final long maxFetchBytes;
    private final ConcurrentMap<String, Object> locks = new ConcurrentHashMap<>();

    /**
     * A mirror whose fetches are bounded in time only.
     *
     * @param mirrorsDir directory holding the mirrors (created if missing)
     * @param rewriter   the operator's insteadOf rewrites, applied to every URL after it is checked
     * @param timeout    bound of one fetch when the caller gives none
     */
    public GitMirror(Path mirrorsDir, GitUrlRewriter rewriter, Duration timeout) {
        this(mirrorsDir, rewriter, timeout, GitTransfer.UNBOUNDED);
    }

    /**
     * @param mirrorsDir    directory holding the mirrors (created if missing)
     * @param rewriter      the operator's insteadOf rewrites, applied to every URL after it is checked
     * @param timeout       bound of one fetch when the caller gives none
     * @param maxFetchBytes bound of the bytes one fetch may receive over SSH or HTTP(S) ({@link GitTransfer})
     */
    public GitMirror(Path mirrorsDir, GitUrlRewriter rewriter, Duration timeout, long maxFetchBytes) {
        this.mirrorsDir = mirrorsDir;
        this.rewriter = rewriter;
        this.timeout = timeout;
        this.maxFetchBytes = maxFetchBytes;
    }

    /**
     * Writes the tree of {@code revision}'s commit under {@code target} (regular and executable files; symbolic
     * links and submodules are skipped), fetching anonymously within the default timeout when the commit is not in
     * {@code owner}'s mirror yet.
     *
     * @param owner    the GitRepository whose mirror is read, e.g. {@code GitRepository/team-a/apps}
     * @param url      the repository URL as written in the GitRepository (checked, then rewritten here)
     * @param revision the revision to read
     * @param target   an existing directory, on any file system
     * @return the number of files written
     * @throws GitUrlException when {@code url} is not one a GitRepository may name; nothing is read
     * @throws GitException    when the remote cannot be fetched or does not have the commit
     */
    public int checkout(ObjectKey owner, String url, Revision revision, Path target) {
        return checkout(owner, url, revision, target, GitCredentials.NONE, null);
    }

    /**
     * As {@link #checkout(ObjectKey, String, Revision, Path)}, fetching with the GitRepository's {@code secretRef}
     * credentials (HTTPS or SSH) within its {@code spec.timeout}.
     *
     * @param timeout bound of the fetch, null for the mirror's default
     * @throws GitUrlException            when {@code url} is not one a GitRepository may name; nothing is read
     * @throws GitAuthenticationException when the credentials cannot be used for the URL's transport
     * @throws GitException               when the fetch fails or exceeds a bound, or the commit is not found
     */
    public int checkout(ObjectKey owner, String url, Revision revision, Path target, GitCredentials credentials,
                        Duration timeout) {
        return checkout(owner, url, revision, target, () -> credentials, timeout);
    }

    /**
     * As {@link #checkout(ObjectKey, String, Revision, Path, GitCredentials, Duration)}, asking for the credentials only
     * when the commit is not in the mirror yet and has to be fetched: reading a mirrored commit reads no Secret.
     *
     * @param credentials gives the GitRepository's {@code secretRef} credentials; called at most once per fetch, on this
     *                    thread; what it throws is thrown from here
     */
    public int checkout(ObjectKey owner, String url, Revision revision, Path target,
                        Supplier<GitCredentials> credentials, Duration timeout) {
        return withMirror(owner, url, credentials, timeout, (repo, remote, transfer) -> {
            ObjectId commitId = ObjectId.fromString(revision.sha());
            if (!repo.getObjectDatabase().has(commitId)) {
                fetch(repo, remote, transfer, REF_SPECS);
            }
            String ref = revision.refName();
            if (!repo.getObjectDatabase().has(commitId) && isOtherRef(ref)) {
                // Flux's ref.name may name any ref (refs/pull/420/head, refs/merge-requests/1/head), which the
                // heads-and-tags refspecs do not bring.
                fetch(repo, remote, transfer, List.of(new RefSpec("+" + ref + ":" + ref)));
            }
            if (!repo.getObjectDatabase().has(commitId)) {
                throw new GitException("commit " + revision.sha() + " not found in " + remote);
            }
            return writeTree(repo, commitId, target);
        });
    }

    /**
     * Fetches {@code owner}'s mirror of {@code url} now (branches and tags, and {@code ref.name} when it names another
     * ref such as {@code refs/pull/420/head}; deleted refs are removed) and answers what its refs point at after the
     * fetch, so that {@link RemoteRefs#current} gives the revision the remote's ref resolves to, as ls-remote would.
     *
     * @param owner       the GitRepository whose mirror is fetched
     * @param url         the repository URL as written in the GitRepository (checked, then rewritten here)
     * @param ref         the GitRepository's {@code spec.ref}, null for the default (only its {@code name} matters)
     * @param credentials its {@code spec.secretRef} credentials
     * @param timeout     bound of the fetch, null for the mirror's default
     * @return the mirror's refs (full name → commit, annotated tags peeled to their commit)
     * @throws GitUrlException            when {@code url} is not one a GitRepository may name; nothing is fetched
     * @throws GitAuthenticationException when the credentials cannot be used for the URL's transport
     * @throws GitException               when the fetch fails or exceeds a bound
     */
    public RemoteRefs fetchRefs(ObjectKey owner, String url, GitRepositoryRef ref, GitCredentials credentials,
                                Duration timeout) {
        return withMirror(owner, url, () -> credentials, timeout, (repo, remote, transfer) -> {
            fetch(repo, remote, transfer, REF_SPECS);
            String name = ref == null ? null : ref.name();
            if (isOtherRef(name)) {
                fetch(repo, remote, transfer, List.of(new RefSpec("+" + name + ":" + name)));
            }
            Map<String, String> refs = new LinkedHashMap<>();
            for (Ref r : repo.getRefDatabase().getRefsByPrefix(Constants.R_REFS)) {
                Ref peeled = repo.getRefDatabase().peel(r);
                ObjectId id = peeled.getPeeledObjectId() != null ? peeled.getPeeledObjectId() : peeled.getObjectId();
                if (id != null) {
                    refs.put(r.getName(), id.name());
                }
            }
            return new RemoteRefs(remote, refs);
        });
    }

    /**
     * Work on one mirror, given the open repository, the rewritten remote URL and the fetch's bounds and credentials
     * (made by each fetch, which alone asks for the credentials).
     */
    private interface MirrorWork<T> {
        T run(Repository repo, String remote, Supplier<GitTransfer> transfer) throws IOException;
    }

    /**
     * Runs {@code work} on {@code owner}'s mirror of {@code url} (checked and rewritten), created if missing, while
     * holding the owner's lock, so that one GitRepository's fetches and reads never interleave.
     */
    private <T> T withMirror(ObjectKey owner, String url, Supplier<GitCredentials> credentials, Duration timeout,
                             MirrorWork<T> work) {
        String remote = rewriter.remote(url);
        Duration bound = timeout == null ? this.timeout : timeout;
        Supplier<GitTransfer> transfer = () -> new GitTransfer(credentials.get(), bound, maxFetchBytes);
        Path ownerDir = mirrorsDir.resolve(sha256(ownerId(owner)));
        synchronized (locks.computeIfAbsent(ownerDir.toString(), k -> new Object())) {
            try (Repository repo = open(ownerDir.resolve(sha256(remote)), remote)) {
                return work.run(repo, remote, transfer);
            } catch (IOException e) {
                throw new GitException("reading the mirror of " + remote + " failed: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Deletes the mirrors of {@code owner} (the GitRepository was deleted), waiting for a checkout of it in progress.
     *
     * @throws GitException when a file cannot be deleted
     */
    public void forget(ObjectKey owner) {
        Path ownerDir = mirrorsDir.resolve(sha256(ownerId(owner)));
        synchronized (locks.computeIfAbsent(ownerDir.toString(), k -> new Object())) {
            if (!Files.exists(ownerDir)) {
                return;
            }
            try (Stream<Path> all = Files.walk(ownerDir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                throw new GitException("deleting the mirrors of " + owner + " failed: " + e.getMessage(), e);
            }
        }
    }

    private static String ownerId(ObjectKey owner) {
        if (owner == null || owner.kind() == null || owner.namespace() == null || owner.name() == null) {
            throw new IllegalArgumentException("a mirror belongs to a GitRepository: kind, namespace and name needed, got "
                    + owner);
        }
        return owner.toString();
    }

    private static Repository open(Path dir, String remote) throws IOException {
        Files.createDirectories(dir.getParent());
        if (!Files.exists(dir.resolve("HEAD"))) {
            try (Git git = Git.init().setBare(true).setDirectory(dir.toFile()).call()) {
                git.getRepository().getConfig().setString("remote", "origin", "url", remote);
                git.getRepository().getConfig().save();
            } catch (GitAPIException e) {
                throw new IOException("cannot create mirror for " + remote + ": " + e.getMessage(), e);
            }
        }
        return new FileRepositoryBuilder().setGitDir(dir.toFile()).setBare().build();
    }

    /** @return whether {@code ref} is a full ref name outside {@code refs/heads/} and {@code refs/tags/} */
    private static boolean isOtherRef(String ref) {
        return ref != null && ref.startsWith("refs/") && !ref.startsWith("refs/heads/") && !ref.startsWith("refs/tags/")
                && Repository.isValidRefName(ref);
    }

    private static void fetch(Repository repo, String remote, Supplier<GitTransfer> transfer, List<RefSpec> refSpecs) {
        GitTransfer made = transfer.get();
        try (Git git = new Git(repo)) {
            made.call(git.fetch().setRemote(remote).setRefSpecs(refSpecs).setRemoveDeletedRefs(true));
        } catch (GitAuthenticationException e) {
            throw new GitAuthenticationException("fetch " + remote + " failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new GitException("fetch " + remote + " failed: " + e.getMessage(), e);
        }
    }

    private static int writeTree(Repository repo, ObjectId commitId, Path target) throws IOException {
        int files = 0;
        try (RevWalk walk = new RevWalk(repo); ObjectReader reader = repo.newObjectReader();
             TreeWalk tree = new TreeWalk(reader)) {
            RevCommit commit = walk.parseCommit(commitId);
            tree.addTree(commit.getTree());
            tree.setRecursive(true);
            while (tree.next()) {
                FileMode mode = tree.getFileMode(0);
                if (mode != FileMode.REGULAR_FILE && mode != FileMode.EXECUTABLE_FILE) {
                    continue;
                }
                Path file = target.resolve(tree.getPathString());
                Files.createDirectories(file.getParent());
                try (OutputStream out = Files.newOutputStream(file)) {
                    reader.open(tree.getObjectId(0), Constants.OBJ_BLOB).copyTo(out);
                }
                files++;
            }
        }
        return files;
    }

    private static String sha256(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.conflux.git;

import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.RemoteFetcher;
import io.conflux.kustomize.RemoteTarget;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.RefSpec;

/**
  * Fetches kustomize's remote targets with JGit and the JDK's HTTP client, bounded in time and bytes (follows
  * kustomize's api/internal/git/cloner.go: a fresh repository, a fetch of the ref — the remote's HEAD when none —,
  * a detached checkout, then submodules unless {@code ?submodules=false}; and api/internal/loader/fileloader.go for
  * HTTP(S) files).
  *
  * <ul>
  *   <li>Time: each clone or file fetch is bounded by the target's {@code ?timeout=} (kustomize's default 27 s),
  *       never above {@code maxTimeout}.</li>
  *   <li>Size: the bytes received of one clone (all connections, submodules included) or one file are bounded by
  *       {@code maxBytes}.</li>
  *   <li>URLs go through {@code rewriter} first (git's {@code insteadOf}); a local repository ({@code file://}) is
  *       refused unless {@code allowLocal} — the renderer must never let a tenant's kustomization read its disk —
  *       or it is the result of an operator's rewrite.</li>
  *   <li>Anonymous access only ({@link GitCredentials#NONE}): an SSH target fails with the transport's message about
  *       the missing identity, a private HTTPS repository with the server's refusal.</li>
  * </ul>
  * Thread-safe.
  *
  * @param rewriter the operator's URL rewrites ({@link GitUrlRewriter#none()} for none)
  * @param maxTimeout upper bound of any one fetch, positive
  * @param maxBytes bound of the bytes received by one fetch, positive
  * @param allowLocal whether {@code file://} targets may be cloned as written (as {@code kustomize build} does)
  */
public record KustomizeRemoteFetcher(GitUrlRewriter rewriter, Duration maxTimeout, long maxBytes, boolean allowLocal)
        implements RemoteFetcher {

    /** Validates the bounds. */
    public KustomizeRemoteFetcher {
        if (maxTimeout.isNegative() || maxTimeout.isZero() || maxBytes <= 0) {
            throw new IllegalArgumentException("remote fetch bounds must be positive");
        }
    }

    @Override
    public void cloneInto(RemoteTarget target, Path into) {
        String url = rewriter.rewrite(target.cloneUrl());
        boolean rewritten = !url.equals(target.cloneUrl());
        if (isLocal(url) && !allowLocal && !rewritten) {
            throw new KustomizeException("remote target '" + target.raw() + "': local repositories (file://) are refused"
                    + " here");
        }
        Duration timeout = target.timeout().compareTo(maxTimeout) < 0 ? target.timeout() : maxTimeout;
        GitTransfer transfer = new GitTransfer(GitCredentials.NONE, timeout, maxBytes);
        try (Git git = Git.init().setDirectory(into.toFile()).call()) {
            git.getRepository().getConfig().setString("remote", "origin", "url", url);
            git.getRepository().getConfig().save();
            String ref = target.ref().isEmpty() ? "HEAD" : target.ref();
            ObjectId commit = fetch(git, transfer, url, ref);
            git.checkout().setName(commit.name()).call();
            if (target.submodules() && Files.exists(into.resolve(".gitmodules"))) {
                git.submoduleInit().call();
                transfer.call(git.submoduleUpdate());
            }
        } catch (GitException e) {
            throw new KustomizeException("remote target '" + target.raw() + "': fetching " + url + " failed: "
                    + e.getMessage(), e);
        } catch (GitAPIException | IOException | RuntimeException e) {
            throw new KustomizeException("remote target '" + target.raw() + "': cloning " + url + " failed: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Fetches {@code ref} — a commit id, {@code HEAD}, a full ref name, or a branch or tag name (the branch first, as
     * {@code git fetch origin <ref>} resolves it) — and returns its commit.
     */
    private static ObjectId fetch(Git git, GitTransfer transfer, String url, String ref) throws IOException {
        Repository repo = git.getRepository();
        if (ObjectId.isId(ref)) {
            // a commit: fetch every branch and tag, then check it out (not every server serves a bare commit id)
            transfer.call(git.fetch().setRemote("origin").setRefSpecs(
                    new RefSpec("+refs/heads/*:refs/remotes/origin/*"), new RefSpec("+refs/tags/*:refs/tags/*")));
            ObjectId id = ObjectId.fromString(ref);
            if (!repo.getObjectDatabase().has(id)) {
                throw new GitException("commit " + ref + " is not reachable from the remote's branches and tags");
            }
            return id;
        }
        java.util.Set<String> advertised = new java.util.HashSet<>();
        for (org.eclipse.jgit.lib.Ref r : transfer.call(Git.lsRemoteRepository().setRemote(url))) {
            advertised.add(r.getName());
        }
        String source = null;
        for (String candidate : List.of(ref, "refs/heads/" + ref, "refs/tags/" + ref)) {
            if (advertised.contains(candidate) && (candidate.equals("HEAD") || candidate.startsWith("refs/"))) {
                source = candidate;
                break;
            }
        }
        if (source == null) {
            throw new GitException(ref.equals("HEAD") ? "the remote advertises no HEAD"
                    : "the remote has no branch or tag '" + ref + "'");
        }
        transfer.call(git.fetch().setRemote("origin").setRefSpecs(new RefSpec("+" + source + ":refs/conflux/fetched")));
        ObjectId id = repo.resolve("refs/conflux/fetched^{commit}");
        if (id == null) {
            throw new GitException("the remote's " + source + " is not a commit");
        }
        return id;
    }

    private static boolean isLocal(String url) {
        String u = url.toLowerCase(Locale.ROOT);
        return u.startsWith("file:") || !u.contains("://") && !u.contains("@") && !u.startsWith("github.com");
    }

    @Override
    public byte[] fetchFile(URI url) {
        URI target = URI.create(rewriter.rewrite(url.toString()));
        String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new KustomizeException("remote file '" + shown(url) + "': only http and https URLs are fetched");
        }
        HttpClient client = HttpClient.newBuilder().connectTimeout(maxTimeout)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        HttpRequest request = HttpRequest.newBuilder(target).timeout(maxTimeout).GET().build();
        try {
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                if (response.statusCode() < 200 || response.statusCode() > 299) {
                    throw new HttpStatusException(url, response.statusCode());
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                byte[] buf = new byte[8192];
                for (int n; (n = in.read(buf)) >= 0; ) {
                    if (out.size() + (long) n > maxBytes) {
                        throw new KustomizeException("remote file '" + shown(url) + "' is larger than " + maxBytes + " bytes");
                    }
                    out.write(buf, 0, n);
                }
                return out.toByteArray();
            }
        } catch (IOException e) {
            throw new KustomizeException("remote file '" + shown(url) + "': " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KustomizeException("remote file '" + shown(url) + "': interrupted", e);
        }
    }

    /** The URL without user info or query, for messages. */
    private static String shown(URI url) {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort()) + url.getPath();
    }
}

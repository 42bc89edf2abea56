package io.conflux.git;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.LsRemoteCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Ref;

/**
 * {@code git ls-remote} with credentials: the same listing as {@link RemoteRefs#list(String, Duration)} (heads
 * and tags, annotated tags peeled to their commit), authenticated with {@link GitCredentials}.
 */
public final class LsRemote {
    private LsRemote() {
    }

    /**
     * Lists the heads and tags of {@code url}.
     *
     * @param url         repository URL, already rewritten ({@link GitUrlRewriter})
     * @param timeout     bound of the network operation, rounded up to whole seconds
     * @param credentials HTTPS credentials, {@link GitCredentials#NONE} for anonymous access
     * @return the advertised refs
     * @throws GitException when the remote cannot be reached, refuses the credentials or is not a repository
     */
    public static RemoteRefs list(String url, Duration timeout, GitCredentials credentials) {
        try {
            LsRemoteCommand command = Git.lsRemoteRepository()
                    .setRemote(url)
                    .setHeads(true)
                    .setTags(true)
                    .setTimeout((int) Math.max(1, (timeout.toMillis() + 999) / 1000));
            credentials.applyTo(command);
            Map<String, String> refs = new LinkedHashMap<>();
            for (Ref ref : command.call()) {
                String sha = ref.getPeeledObjectId() != null ? ref.getPeeledObjectId().name()
                        : ref.getObjectId() == null ? null : ref.getObjectId().name();
                if (sha != null) {
                    refs.put(ref.getName(), sha);
                }
            }
            return new RemoteRefs(url, refs);
        } catch (GitAPIException | RuntimeException e) {
            throw new GitException("ls-remote " + url + " failed: " + e.getMessage(), e);
        }
    }
}

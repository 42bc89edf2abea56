package io.conflux.git;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jgit.api.TransportCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.TransportHttp;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;

/**
 * How one remote Git operation (ls-remote, fetch) runs: with a GitRepository's {@link GitCredentials}, bounded in time
 * ({@code spec.timeout}) and in the bytes received.
 *
 * <ul>
 *   <li>HTTP(S): basic credentials through JGit's {@link UsernamePasswordCredentialsProvider}, a bearer token as an
 *       {@code Authorization: Bearer} header (JGit has no bearer provider).</li>
 *   <li>SSH ({@code ssh://user@host:port/path} and scp-like {@code user@host:path} URLs): JGit's Apache MINA SSHD
 *       transport with the Secret's {@code identity} only and strict host key checking against its
 *       {@code known_hosts}; Flux requires both keys for SSH, and so does this.</li>
 * </ul>
 * The time bound is JGit's per-read timeout (rounded up to whole seconds) plus a deadline on the whole operation; the
 * size bound counts every byte received over SSH or HTTP(S). Local transports are not bounded.
 *
 * @param credentials the GitRepository's credentials, {@link GitCredentials#NONE} for anonymous access
 * @param timeout     bound of the whole operation
 * @param maxBytes    bound of the bytes received (refs advertisement and pack), all connections together
 */
public record GitTransfer(GitCredentials credentials, Duration timeout, long maxBytes) {

    /** The size bound when none is configured: no bound. */
    public static final long UNBOUNDED = Long.MAX_VALUE;

    /**
     * Runs {@code command}, whose remote is already set, configured for this transfer.
     *
     * @param command an ls-remote, fetch or clone command
     * @return the command's result
     * @throws GitAuthenticationException when the credentials cannot be used for the URL's transport (SSH without
     *                                    {@code identity} or {@code known_hosts}, unreadable key)
     * @throws GitException               when the operation failed; the message says why: refused host key, size
     *                                    or time bound exceeded, or JGit's error (e.g. {@code not authorized},
     *                                    {@code Authentication failed})
     */
    public <T, C extends TransportCommand<C, T>> T call(C command) {
        TransferBudget budget = new TransferBudget(timeout, maxBytes);
        AtomicReference<SshAuthentication> ssh = new AtomicReference<>();
        AtomicReference<SshdSessionFactory> sessions = new AtomicReference<>();
        command.setTimeout((int) Math.max(1, (timeout.toMillis() + 999) / 1000));
        command.setTransportConfigCallback(transport -> {
            if (transport instanceof SshTransport sshTransport) {
                SshAuthentication auth = SshAuthentication.of(credentials);
                SshdSessionFactory factory = auth.sessionFactory();
                ssh.set(auth);
                SshdSessionFactory previous = sessions.getAndSet(factory);
                if (previous != null) {
                    previous.close();
                }
                sshTransport.setSshSessionFactory(budget.sshSessions(factory));
            } else if (transport instanceof TransportHttp http) {
                http.setHttpConnectionFactory(budget.httpConnections());
                if (present(credentials.bearerToken())) {
                    http.setAdditionalHeaders(Map.of("Authorization", "Bearer " + credentials.bearerToken()));
                } else if (credentials.username() != null || credentials.password() != null) {
                    http.setCredentialsProvider(new UsernamePasswordCredentialsProvider(
                            credentials.username() == null ? "" : credentials.username(),
                            credentials.password() == null ? "" : credentials.password()));
                }
            }
        });
        try {
            return command.call();
        } catch (GitAuthenticationException e) {
            throw e;
        } catch (GitAPIException | RuntimeException e) {
            String why = budget.exceeded();
            if (why == null && ssh.get() != null) {
                why = ssh.get().rejection();
            }
            throw new GitException(why != null ? why : message(e), e);
        } finally {
            SshdSessionFactory factory = sessions.get();
            if (factory != null) {
                factory.close();
            }
        }
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    private static boolean present(String s) {
        return s != null && !s.isEmpty();
    }
}

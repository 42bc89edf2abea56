package io.conflux.git;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.Proxy;
import java.net.URL;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RemoteSession;
import org.eclipse.jgit.transport.RemoteSession2;
import org.eclipse.jgit.transport.SshSessionFactory;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.http.HttpConnection;
import org.eclipse.jgit.transport.http.JDKHttpConnection;
import org.eclipse.jgit.transport.http.JDKHttpConnectionFactory;
import org.eclipse.jgit.util.FS;

/**
 * The time and size allowance of one remote operation (an ls-remote or a fetch, all its connections together):
 * every byte read from the remote over SSH or HTTP(S) is counted, and a read fails once {@code maxBytes} are
 * exceeded or the {@code timeout} since the start has passed. JGit's own timeout bounds each network read; this
 * bounds the whole operation, so a server that trickles data cannot hold a fetch forever.
 *
 * <p>Local transports ({@code file://}, paths), used for operator-configured mirrors, are not counted.
 */
final class TransferBudget {
    private final long maxBytes;
    private final Duration timeout;
    private final long deadlineNanos;
    private final AtomicLong read = new AtomicLong();
    private volatile String exceeded;

    /**
     * @param timeout  bound of the whole operation
     * @param maxBytes bound of the bytes received, all connections together
     */
    TransferBudget(Duration timeout, long maxBytes) {
        this.timeout = timeout;
        this.maxBytes = maxBytes;
        this.deadlineNanos = System.nanoTime() + timeout.toNanos();
    }

    /** @return why the operation was cut, or null when it was not */
    String exceeded() {
        return exceeded;
    }

    /** @return {@code in}, counted against this budget */
    InputStream bound(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                check(0);
                int b = super.read();
                if (b >= 0) {
                    check(1);
                }
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                check(0);
                int n = super.read(buf, off, len);
                if (n > 0) {
                    check(n);
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                check(0);
                long skipped = super.skip(n);
                check(skipped);
                return skipped;
            }
        };
    }

    private void check(long bytes) throws IOException {
        long total = read.addAndGet(bytes);
        if (total > maxBytes) {
            exceeded = "the transfer exceeded the size limit of " + human(maxBytes) + " (conflux.git.max-fetch-size)";
            throw new IOException(exceeded);
        }
        if (System.nanoTime() - deadlineNanos > 0) {
            exceeded = "the transfer did not complete within the timeout of " + timeout.toSeconds() + "s (spec.timeout)";
            throw new InterruptedIOException(exceeded);
        }
    }

    private static String human(long bytes) {
        return bytes % (1L << 20) == 0 ? (bytes >> 20) + " MiB" : bytes + " bytes";
    }

    /** @return JGit's JDK HTTP connections, their response bodies counted against this budget */
    JDKHttpConnectionFactory httpConnections() {
        return new JDKHttpConnectionFactory() {
            @Override
            public HttpConnection create(URL url) throws IOException {
                return new BoundedHttpConnection(url, null);
            }

            @Override
            public HttpConnection create(URL url, Proxy proxy) throws IOException {
                return new BoundedHttpConnection(url, proxy);
            }
        };
    }

    private final class BoundedHttpConnection extends JDKHttpConnection {
        BoundedHttpConnection(URL url, Proxy proxy) throws IOException {
            super(url, proxy);
        }

        @Override
        public InputStream getInputStream() throws IOException {
            return bound(super.getInputStream());
        }
    }

    /**
     * @return {@code sessions} whose command output is counted against this budget; a URL without a user name
     * connects as {@code git}, Flux's default SSH user (JGit's would be the process user)
     */
    SshSessionFactory sshSessions(SshSessionFactory sessions) {
        return new SshSessionFactory() {
            @Override
            public RemoteSession getSession(URIish uri, CredentialsProvider credentials, FS fs, int tms)
                    throws TransportException {
                URIish withUser = uri.getUser() == null || uri.getUser().isEmpty() ? uri.setUser("git") : uri;
                return new BoundedSession(sessions.getSession(withUser, credentials, fs, tms));
            }

            @Override
            public String getType() {
                return sessions.getType();
            }
        };
    }

    private final class BoundedSession implements RemoteSession2 {
        private final RemoteSession session;

        BoundedSession(RemoteSession session) {
            this.session = session;
        }

        @Override
        public Process exec(String command, int timeout) throws IOException {
            return new BoundedProcess(session.exec(command, timeout));
        }

        @Override
        public Process exec(String command, Map<String, String> environment, int timeout) throws IOException {
            return new BoundedProcess(session instanceof RemoteSession2 s2 ? s2.exec(command, environment, timeout)
                    : session.exec(command, timeout));
        }

        @Override
        public void disconnect() {
            session.disconnect();
        }
    }

    private final class BoundedProcess extends Process {
        private final Process process;
        private final InputStream out;

        BoundedProcess(Process process) {
            this.process = process;
            this.out = bound(process.getInputStream());
        }

        @Override
        public OutputStream getOutputStream() {
            return process.getOutputStream();
        }

        @Override
        public InputStream getInputStream() {
            return out;
        }

        @Override
        public InputStream getErrorStream() {
            return process.getErrorStream();
        }

        @Override
        public int waitFor() throws InterruptedException {
            return process.waitFor();
        }

        @Override
        public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
            return process.waitFor(timeout, unit);
        }

        @Override
        public int exitValue() {
            return process.exitValue();
        }

        @Override
        public void destroy() {
            process.destroy();
        }
    }
}

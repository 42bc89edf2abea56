package io.conflux.git.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.command.CommandFactory;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.UploadPack;

/**
 * A Git server over SSH on loopback for tests: Apache MINA SSHD with public-key authentication only (one authorized
 * key, any user name), serving {@code git-upload-pack} with JGit's {@link UploadPack} for the repositories under a
 * directory (read-only: no receive-pack). Its host key is generated per server; {@link #hostKeys()} gives the
 * known_hosts material.
 *
 * <pre>{@code
 * try (LocalSshGitServer server = LocalSshGitServer.start(reposDir, clientKeys.keyPair().getPublic())) {
 *     String url = server.url("acme/infra.git");              // ssh://git@127.0.0.1:<port>/acme/infra.git
 *     String knownHosts = server.knownHosts();                // [127.0.0.1]:<port> ecdsa-sha2-nistp256 AAAA...
 * }
 * }</pre>
 */
public final class LocalSshGitServer implements AutoCloseable {
    private final SshServer sshd;
    private final SshKeys hostKeys;
    private final List<String> users = new CopyOnWriteArrayList<>();

    private LocalSshGitServer(SshServer sshd, SshKeys hostKeys) {
        this.sshd = sshd;
        this.hostKeys = hostKeys;
    }

    /**
     * Starts a server on 127.0.0.1 and a free port.
     *
     * @param reposDir      directory whose repositories (bare {@code x.git} or work trees with {@code .git}) are
     *                      served, by path relative to it
     * @param authorizedKey the only client key accepted
     * @throws IOException when the server cannot bind
     */
    public static LocalSshGitServer start(Path reposDir, PublicKey authorizedKey) throws IOException {
        SshKeys hostKeys = SshKeys.generate();
        SshServer sshd = SshServer.setUpDefaultServer();
        LocalSshGitServer server = new LocalSshGitServer(sshd, hostKeys);
        sshd.setHost("127.0.0.1");
        sshd.setPort(0);
        sshd.setKeyPairProvider(KeyPairProvider.wrap(hostKeys.keyPair()));
        sshd.setPasswordAuthenticator(null);
        sshd.setKeyboardInteractiveAuthenticator(null);
        sshd.setGSSAuthenticator(null);
        sshd.setHostBasedAuthenticator(null);
        sshd.setPublickeyAuthenticator((user, key, session) -> {
            boolean ok = KeyUtils.compareKeys(key, authorizedKey);
            if (ok) {
                server.users.add(user);
            }
            return ok;
        });
        sshd.setCommandFactory(new UploadPackFactory(reposDir));
        sshd.start();
        return server;
    }

    /** @return the port the server listens on */
    public int port() {
        return sshd.getPort();
    }

    /** @return {@code ssh://git@127.0.0.1:<port>/<path>} */
    public String url(String path) {
        return "ssh://git@127.0.0.1:" + port() + "/" + path;
    }

    /** @return the server's host key pair */
    public SshKeys hostKeys() {
        return hostKeys;
    }

    /** @return a known_hosts line naming this server's host key for {@code [127.0.0.1]:<port>} */
    public String knownHosts() {
        return hostKeys.knownHostsLine("127.0.0.1", port());
    }

    /** @return the user names of the sessions that authenticated, in order */
    public List<String> users() {
        return List.copyOf(users);
    }

    @Override
    public void close() throws IOException {
        sshd.stop(true);
    }

    /** {@code git-upload-pack '<path>'} → JGit's UploadPack on the repository at that path under the root. */
    private record UploadPackFactory(Path root) implements CommandFactory {
        @Override
        public Command createCommand(ChannelSession channel, String command) {
            return new UploadPackCommand(root, command);
        }
    }

    private static final class UploadPackCommand implements Command {
        private final Path root;
        private final String command;
        private InputStream in;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;
        private Thread worker;

        UploadPackCommand(Path root, String command) {
            this.root = root;
            this.command = command;
        }

        @Override
        public void setInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }

        @Override
        public void start(ChannelSession channel, Environment env) {
            String protocol = env.getEnv().get("GIT_PROTOCOL");
            worker = new Thread(() -> run(protocol), "local-ssh-git-upload-pack");
            worker.setDaemon(true);
            worker.start();
        }

        private void run(String protocol) {
            List<String> args = CommandFactory.split(command);
            if (args.size() != 2 || !"git-upload-pack".equals(args.get(0))) {
                fail("only git-upload-pack is served, not: " + command);
                return;
            }
            Path dir = root.resolve(args.get(1).replaceFirst("^/+", "")).normalize();
            if (!dir.startsWith(root)) {
                fail("repository outside the served directory: " + args.get(1));
                return;
            }
            try (Repository repo = LocalRepositories.open(dir)) {
                UploadPack up = new UploadPack(repo);
                if (protocol != null) {
                    up.setExtraParameters(Arrays.asList(protocol.split(":")));
                }
                up.upload(in, out, err);
                out.flush();
                exit.onExit(0);
            } catch (IOException | RuntimeException e) {
                fail(e.getMessage());
            }
        }

        private void fail(String message) {
            try {
                err.write(("fatal: " + message + "\n").getBytes(StandardCharsets.UTF_8));
                err.flush();
            } catch (IOException ignored) {
                // the client went away; nothing to tell
            }
            exit.onExit(128, message);
        }

        @Override
        public void destroy(ChannelSession channel) {
            if (worker != null) {
                worker.interrupt();
            }
        }
    }
}

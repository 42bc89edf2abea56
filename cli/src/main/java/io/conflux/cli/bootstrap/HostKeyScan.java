package io.conflux.cli.bootstrap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.security.PublicKey;
import java.time.Duration;
import java.util.EnumSet;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.client.session.ClientSession.ClientSessionEvent;
import org.apache.sshd.common.config.keys.PublicKeyEntry;

/**
 * The {@code known_hosts} line of an SSH Git server, read as {@code flux bootstrap} does ({@code ssh-keyscan}): a
 * connection up to the key exchange, no authentication. Trust on first use: the line is what the server showed now,
 * so run it over a network you trust, or pass the {@code known_hosts} yourself.
 */
public final class HostKeyScan {
    private HostKeyScan() {
    }

    /**
     * @param url     an {@code ssh://[user@]host[:port]/path} URL
     * @param timeout bound of the connection and key exchange
     * @return {@code host <type> <base64>} ({@code [host]:port} unless the port is 22), newline-terminated
     * @throws IllegalArgumentException when {@code url} is not an {@code ssh://} URL with a host
     * @throws UncheckedIOException     when the server cannot be reached or shows no host key in time
     */
    public static String knownHosts(String url, Duration timeout) {
        URI uri = URI.create(url);
        if (!"ssh".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("not an ssh://[user@]host[:port]/path URL: " + url);
        }
        String host = uri.getHost();
        int port = uri.getPort() < 0 ? 22 : uri.getPort();
        String user = uri.getUserInfo() == null ? "git" : uri.getUserInfo();
        SshClient client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier((session, address, key) -> true);
        client.start();
        try (ClientSession session = client.connect(user, host, port).verify(timeout).getSession()) {
            session.waitFor(EnumSet.of(ClientSessionEvent.WAIT_AUTH, ClientSessionEvent.CLOSED), timeout);
            PublicKey key = session.getServerKey();
            if (key == null) {
                throw new UncheckedIOException(new IOException("no host key from " + host + ":" + port + " within "
                        + timeout.toSeconds() + "s"));
            }
            return (port == 22 ? host : "[" + host + "]:" + port) + " " + PublicKeyEntry.toString(key) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the host key of " + host + ":" + port, e);
        } finally {
            client.stop();
        }
    }
}

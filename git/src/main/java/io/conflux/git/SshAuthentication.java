package io.conflux.git;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.sshd.ServerKeyDatabase;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/**
 * SSH access of one remote operation, from a GitRepository Secret's {@code identity}, {@code password} and
 * {@code known_hosts} (Flux's SSH keys): a JGit Apache MINA SSHD session factory that authenticates with that key
 * only ({@code publickey}) and accepts the server only when {@code known_hosts} lists its host key for the host
 * (and port) — no {@code ~/.ssh} files, no agent, no accept-new, as Flux's {@code knownhosts} callback.
 *
 * <p>Not thread-safe; one instance per remote operation. {@link #rejection()} tells why the host key was refused.
 */
final class SshAuthentication implements ServerKeyDatabase {
    /** A directory that is never created: JGit must find no ssh config, keys or known_hosts of the process user. */
    private static final File NO_HOME = new File(System.getProperty("java.io.tmpdir"), "conflux-no-ssh-home");

    private final List<KeyPair> keys;
    private final List<KnownHostEntry> knownHosts;
    private volatile String rejection;

    private SshAuthentication(List<KeyPair> keys, List<KnownHostEntry> knownHosts) {
        this.keys = keys;
        this.knownHosts = knownHosts;
    }

    /**
     * Validates and reads the SSH part of {@code credentials} as Flux's {@code AuthOptions.Validate} does.
     *
     * @throws GitAuthenticationException when {@code identity} or {@code known_hosts} is missing or unreadable, or
     *                                    the key is encrypted and {@code password} is missing or wrong
     */
    static SshAuthentication of(GitCredentials credentials) {
        if (credentials.identity() == null || credentials.identity().isBlank()) {
            throw new GitAuthenticationException("invalid 'ssh' auth option: 'identity' is required");
        }
        if (credentials.knownHosts() == null || credentials.knownHosts().isBlank()) {
            throw new GitAuthenticationException("invalid 'ssh' auth option: 'known_hosts' is required");
        }
        return new SshAuthentication(readKeys(credentials.identity(), credentials.password()),
                readKnownHosts(credentials.knownHosts()));
    }

    private static List<KeyPair> readKeys(String identity, String password) {
        List<KeyPair> keys = new ArrayList<>();
        try {
            Iterable<KeyPair> read = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName("identity"),
                    new ByteArrayInputStream(identity.getBytes(StandardCharsets.UTF_8)),
                    password == null || password.isEmpty() ? null : FilePasswordProvider.of(password));
            if (read != null) {
                read.forEach(keys::add);
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new GitAuthenticationException("invalid 'ssh' auth option: cannot read the private key in 'identity'"
                    + (password == null ? " (encrypted keys need the passphrase in 'password')" : "") + ": " + e.getMessage(), e);
        }
        if (keys.isEmpty()) {
            throw new GitAuthenticationException(
                    "invalid 'ssh' auth option: 'identity' holds no private key in OpenSSH or PEM format");
        }
        return keys;
    }

    private static List<KnownHostEntry> readKnownHosts(String text) {
        List<KnownHostEntry> entries;
        try {
            entries = KnownHostEntry.readKnownHostEntries(new StringReader(text), true);
        } catch (IOException | RuntimeException e) {
            throw new GitAuthenticationException("invalid 'ssh' auth option: cannot parse 'known_hosts': " + e.getMessage(), e);
        }
        if (entries == null || entries.isEmpty()) {
            throw new GitAuthenticationException("invalid 'ssh' auth option: 'known_hosts' has no host key");
        }
        return entries;
    }

    /**
     * @return a session factory using only this Secret's key and known_hosts; the caller closes it after the
     * operation (it owns an SSH client and its threads)
     */
    SshdSessionFactory sessionFactory() {
        return new SshdSessionFactoryBuilder()
                .setHomeDirectory(NO_HOME)
                .setSshDirectory(NO_HOME)
                .setConfigStoreFactory((home, configFile, localUser) -> null)
                .setDefaultKnownHostsFiles(dir -> List.of())
                .setDefaultIdentities(dir -> List.of())
                .setDefaultKeysProvider(dir -> keys)
                .setServerKeyDatabase((home, sshDir) -> this)
                .setPreferredAuthentications("publickey")
                .build(null);
    }

    /** @return why the server's host key was refused during the last operation, or null */
    String rejection() {
        return rejection;
    }

    @Override
    public List<PublicKey> lookup(String connectAddress, InetSocketAddress remoteAddress, Configuration config) {
        HostPort host = HostPort.of(connectAddress, remoteAddress);
        List<PublicKey> found = new ArrayList<>();
        for (KnownHostEntry entry : knownHosts) {
            PublicKey key = trustedKey(entry, host);
            if (key != null) {
                found.add(key);
            }
        }
        return found;
    }

    @Override
    public boolean accept(String connectAddress, InetSocketAddress remoteAddress, PublicKey serverKey,
                          Configuration config, CredentialsProvider provider) {
        HostPort host = HostPort.of(connectAddress, remoteAddress);
        List<String> known = new ArrayList<>();
        for (KnownHostEntry entry : knownHosts) {
            if (!entry.isHostMatch(host.host(), host.port())) {
                continue;
            }
            PublicKey key = key(entry);
            if (marker(entry).equals("revoked") && key != null && KeyUtils.compareKeys(key, serverKey)) {
                rejection = "ssh: the host key of " + host + " (" + describe(serverKey) + ") is marked @revoked in known_hosts";
                return false;
            }
            if (marker(entry).isEmpty() && key != null) {
                if (KeyUtils.compareKeys(key, serverKey)) {
                    return true;
                }
                known.add(describe(key));
            }
        }
        rejection = known.isEmpty()
                ? "ssh: host key verification failed: " + host + " is not in known_hosts (the server offered "
                        + describe(serverKey) + ")"
                : "ssh: host key verification failed: the host key of " + host + " does not match known_hosts "
                        + "(the server offered " + describe(serverKey) + ", known_hosts has " + String.join(", ", known) + ")";
        return false;
    }

    private static PublicKey trustedKey(KnownHostEntry entry, HostPort host) {
        return marker(entry).isEmpty() && entry.isHostMatch(host.host(), host.port()) ? key(entry) : null;
    }

    /** @return the entry's marker without {@code @} ({@code revoked}, {@code cert-authority}), or empty */
    private static String marker(KnownHostEntry entry) {
        String m = entry.getMarker();
        return m == null ? "" : m.startsWith("@") ? m.substring(1) : m;
    }

    private static PublicKey key(KnownHostEntry entry) {
        AuthorizedKeyEntry keyEntry = entry.getKeyEntry();
        if (keyEntry == null) {
            return null;
        }
        try {
            return keyEntry.resolvePublicKey(null, PublicKeyEntryResolver.IGNORING);
        } catch (IOException | GeneralSecurityException e) {
            return null;
        }
    }

    private static String describe(PublicKey key) {
        return KeyUtils.getKeyType(key) + " " + KeyUtils.getFingerPrint(key);
    }

    /** The host and port JGit connects to; {@code connectAddress} is {@code host} or {@code [host]:port}. */
    private record HostPort(String host, int port) {
        static HostPort of(String connectAddress, InetSocketAddress remote) {
            String address = connectAddress == null ? "" : connectAddress;
            int port = remote == null ? 22 : remote.getPort();
            if (address.startsWith("[")) {
                int end = address.indexOf(']');
                if (end > 0) {
                    String rest = address.substring(end + 1);
                    if (rest.startsWith(":")) {
                        port = Integer.parseInt(rest.substring(1));
                    }
                    address = address.substring(1, end);
                }
            }
            return new HostPort(address.toLowerCase(Locale.ROOT), port);
        }

        @Override
        public String toString() {
            return port == 22 ? host : "[" + host + "]:" + port;
        }
    }
}

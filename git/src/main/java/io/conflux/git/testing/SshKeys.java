package io.conflux.git.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyEncryptionContext;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyPairProvider;

/**
 * An SSH key pair for tests, in the formats a Flux SSH Secret holds: the private key as {@code identity} (OpenSSH
 * format, optionally encrypted with a passphrase) and the public key as an {@code authorized_keys} /
 * {@code known_hosts} key text. ECDSA P-256, as {@code flux create secret git} generates by default (P-384 there).
 *
 * @param keyPair the key pair
 */
public record SshKeys(KeyPair keyPair) {

    /** @return a fresh ECDSA P-256 key pair */
    public static SshKeys generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return new SshKeys(generator.generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an ECDSA key pair", e);
        }
    }

    /** @return a fresh Ed25519 key pair, as {@code ssh-keygen -t ed25519} makes */
    public static SshKeys generateEd25519() {
        try {
            // through SSHD's security provider (Bouncy Castle), whose key types its encoders know
            return new SshKeys(KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an Ed25519 key pair", e);
        }
    }

    /** @return the private key in OpenSSH format ({@code -----BEGIN OPENSSH PRIVATE KEY-----}), unencrypted */
    public String privateKey() {
        return privateKey(null);
    }

    /**
     * @param passphrase passphrase to encrypt the key with (AES-256-CTR, bcrypt KDF, as ssh-keygen does), or null
     * @return the private key in OpenSSH format
     */
    public String privateKey(String passphrase) {
        OpenSSHKeyEncryptionContext encryption = null;
        if (passphrase != null) {
            encryption = new OpenSSHKeyEncryptionContext();
            encryption.setPassword(passphrase);
            encryption.setCipherName("AES");
            encryption.setCipherMode("CTR");
            encryption.setCipherType("256");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(keyPair, "conflux-test", encryption, out);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot write the private key", e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** @return the public key as {@code <type> <base64>}, e.g. {@code ecdsa-sha2-nistp256 AAAA...} */
    public String publicKey() {
        return PublicKeyEntry.toString(keyPair.getPublic());
    }

    /**
     * @param host host name or address
     * @param port SSH port
     * @return a known_hosts line for this key as the host key of {@code host:port} ({@code [host]:port} unless the
     * port is 22)
     */
    public String knownHostsLine(String host, int port) {
        return (port == 22 ? host : "[" + host + "]:" + port) + " " + publicKey() + "\n";
    }
}

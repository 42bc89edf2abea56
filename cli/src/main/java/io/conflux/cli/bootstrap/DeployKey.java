package io.conflux.cli.bootstrap;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Iterator;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * The SSH deploy key of a bootstrapped repository, in the form of Flux's {@code flux-system} Secret: the private key
 * in OpenSSH format ({@code identity}) and the public key as an {@code authorized_keys} line ({@code identity.pub}),
 * the one to add to the repository as a deploy key. Generated as {@code flux bootstrap} does (ECDSA P-384 by default,
 * its {@code --ssh-key-algorithm ecdsa --ssh-ecdsa-curve p384}; Ed25519 on request), or read from a private key file.
 *
 * @param identity  the private key, OpenSSH format, unencrypted
 * @param publicKey {@code <type> <base64>}, e.g. {@code ecdsa-sha2-nistp384 AAAA…}
 */
public record DeployKey(String identity, String publicKey) {

    /** The key types {@link #generate} makes. */
    public enum Algorithm {
        /** ECDSA on NIST P-384, Flux's default */
        ECDSA,
        /** Ed25519 */
        ED25519
    }

    /**
     * @return a fresh key pair of {@code algorithm}
     * @throws IllegalStateException when the JVM cannot generate it
     */
    public static DeployKey generate(Algorithm algorithm) {
        try {
            KeyPair pair;
            if (algorithm == Algorithm.ED25519) {
                pair = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
            } else {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
                generator.initialize(new ECGenParameterSpec("secp384r1"));
                pair = generator.generateKeyPair();
            }
            return of(pair);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an " + algorithm + " key pair", e);
        }
    }

    /**
     * @param privateKey a private key in OpenSSH or PEM format, unencrypted (the content of {@code --private-key-file})
     * @param source     names the key in errors (the file)
     * @return the key with its public half derived from it; {@code identity} is the key as given
     * @throws IllegalArgumentException when {@code privateKey} holds no readable private key (never quoting it)
     */
    public static DeployKey read(String privateKey, String source) {
        try {
            Iterable<KeyPair> pairs = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(source),
                    new ByteArrayInputStream(privateKey.getBytes(StandardCharsets.UTF_8)), null);
            Iterator<KeyPair> it = pairs == null ? null : pairs.iterator();
            if (it == null || !it.hasNext()) {
                throw new IllegalArgumentException(source + " holds no private key in OpenSSH or PEM format");
            }
            return new DeployKey(privateKey, PublicKeyEntry.toString(it.next().getPublic()));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read the private key in " + source + " (an encrypted key is "
                    + "not supported): " + e.getClass().getSimpleName(), e);
        }
    }

    private static DeployKey of(KeyPair pair) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, "flux-system", null, out);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot write the private key", e);
        }
        return new DeployKey(out.toString(StandardCharsets.UTF_8), PublicKeyEntry.toString(pair.getPublic()));
    }

    /** @return the key type and fingerprint, for messages (never the key) */
    @Override
    public String toString() {
        return "DeployKey[" + publicKey.substring(0, Math.max(0, publicKey.indexOf(' '))) + "]";
    }
}

package io.conflux.helm;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * How a chart repository is reached, from a Flux {@code HelmRepository}'s {@code certSecretRef},
 * {@code passCredentials} and {@code insecure}, as source-controller reads them ({@code internal/helm/getter}'s
 * TLS config from a Secret: {@code ca.crt} replaces the system trust, {@code tls.crt} with {@code tls.key} is the client
 * certificate; either may be given alone).
 *
 * @param sslContext      the TLS context, null for the JVM's default
 * @param passCredentials whether basic-auth credentials go to chart URLs on other hosts than the index's
 * @param plainHttp       an OCI registry is spoken to over plain HTTP ({@code insecure})
 */
public record RepositoryTransport(SSLContext sslContext, boolean passCredentials, boolean plainHttp) {
  /** The JVM's trust, credentials kept to the index's host, HTTPS. */
  public static final RepositoryTransport DEFAULT = new RepositoryTransport(null, false, false);

  private static final Pattern PEM = Pattern.compile(
      "-----BEGIN ([A-Z ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1-----");

  /**
   * @param secretName the {@code certSecretRef} Secret's name, for messages
   * @param data its data, decoded
   * @return a TLS context trusting {@code ca.crt} (else the JVM's trust) and presenting {@code tls.crt}/{@code tls.key}
   * @throws HelmException naming the Secret and key when it has neither {@code ca.crt} nor {@code tls.crt}, has only
   *     one of {@code tls.crt} and {@code tls.key}, or a value does not parse (PEM certificates; a PKCS#8 or PKCS#1
   *     RSA, or PKCS#8 EC key)
   */
  public static SSLContext sslContext(String secretName, Map<String, String> data) {
    String ca = data.get("ca.crt");
    String crt = data.get("tls.crt");
    String key = data.get("tls.key");
    String where = "secret '" + secretName + "' (spec.certSecretRef)";
    if (ca == null && crt == null && key == null) {
      throw new HelmException(where + " has none of 'ca.crt', 'tls.crt', 'tls.key'");
    }
    if ((crt == null) != (key == null)) {
      throw new HelmException(where + " has '" + (crt == null ? "tls.key" : "tls.crt") + "' without '"
          + (crt == null ? "tls.crt" : "tls.key") + "'");
    }
    try {
      TrustManager[] trust = null;
      if (ca != null) {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        List<Certificate> cas = certificates(where, "ca.crt", ca);
        for (int i = 0; i < cas.size(); i++) {
          store.setCertificateEntry("ca-" + i, cas.get(i));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        trust = factory.getTrustManagers();
      }
      KeyManager[] keys = null;
      if (crt != null) {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        char[] none = new char[0];
        store.setKeyEntry("client", privateKey(where, key), none,
            certificates(where, "tls.crt", crt).toArray(Certificate[]::new));
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, none);
        keys = factory.getKeyManagers();
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys, trust, null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new HelmException(where + ": cannot build the TLS configuration: " + e.getMessage(), e);
    }
  }

  private static List<Certificate> certificates(String where, String name, String pem) {
    try {
      List<Certificate> out = new ArrayList<>(CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))));
      if (out.isEmpty()) {
        throw new HelmException(where + ": '" + name + "' holds no PEM certificate");
      }
      return out;
    } catch (GeneralSecurityException e) {
      throw new HelmException(where + ": '" + name + "' is not a PEM certificate: " + e.getMessage(), e);
    }
  }

  private static PrivateKey privateKey(String where, String pem) {
    Matcher m = PEM.matcher(pem);
    if (!m.find()) {
      throw new HelmException(where + ": 'tls.key' is not a PEM private key");
    }
    byte[] der = Base64.getMimeDecoder().decode(m.group(2));
    byte[] pkcs8 = switch (m.group(1)) {
      case "PRIVATE KEY" -> der;
      case "RSA PRIVATE KEY" -> rsaPkcs1ToPkcs8(der);
      default -> throw new HelmException(where + ": 'tls.key' of type '" + m.group(1)
          + "' is not supported: use PKCS#8 (BEGIN PRIVATE KEY) or PKCS#1 RSA");
    };
    for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
      } catch (GeneralSecurityException notThis) {
        // try the next algorithm
      }
    }
    throw new HelmException(where + ": 'tls.key' is not an RSA, EC or Ed25519 private key");
  }

  /** Wraps a PKCS#1 RSAPrivateKey in PKCS#8's PrivateKeyInfo (version 0, rsaEncryption with NULL parameters). */
  private static byte[] rsaPkcs1ToPkcs8(byte[] pkcs1) {
    byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01,
        0x01, 0x05, 0x00};
    byte[] version = {0x02, 0x01, 0x00};
    byte[] octets = der(0x04, pkcs1);
    byte[] body = new byte[version.length + algorithm.length + octets.length];
    System.arraycopy(version, 0, body, 0, version.length);
    System.arraycopy(algorithm, 0, body, version.length, algorithm.length);
    System.arraycopy(octets, 0, body, version.length + algorithm.length, octets.length);
    return der(0x30, body);
  }

  private static byte[] der(int tag, byte[] content) {
    int n = content.length;
    byte[] length;
    if (n < 0x80) {
      length = new byte[] {(byte) n};
    } else if (n < 0x100) {
      length = new byte[] {(byte) 0x81, (byte) n};
    } else if (n < 0x10000) {
      length = new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n};
    } else {
      length = new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
    }
    byte[] out = new byte[1 + length.length + n];
    out[0] = (byte) tag;
    System.arraycopy(length, 0, out, 1, length.length);
    System.arraycopy(content, 0, out, 1 + length.length, n);
    return out;
  }
}

package io.conflux.artifacts;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS trust of a source's {@code spec.certSecretRef}, as source-controller reads it: {@code ca.crt} (PEM, one or
 * more certificates) is the only trusted CA. Client certificates ({@code tls.crt}/{@code tls.key}) are not
 * supported by Conflux and refused naming the keys, never ignored.
 */
public final class TlsTrust {
    private TlsTrust() {
    }

    /**
     * @param secretName the Secret's name, for messages
     * @param data       the Secret's data
     * @return trust managers trusting {@code ca.crt}
     * @throws ArtifactException {@code NotSupported} when the Secret has {@code tls.crt} or {@code tls.key};
     *                           {@code AuthenticationFailed} when it has no {@code ca.crt} or it does not parse
     */
    public static TrustManager[] trustManagers(String secretName, Map<String, byte[]> data) {
        if (data.containsKey("tls.crt") || data.containsKey("tls.key")) {
            throw new ArtifactException(ArtifactException.NOT_SUPPORTED, "secret '" + secretName
                    + "' (spec.certSecretRef): client certificates (tls.crt, tls.key) are not supported by Conflux");
        }
        byte[] ca = data.get("ca.crt");
        if (ca == null) {
            throw new ArtifactException(ArtifactException.AUTHENTICATION_FAILED,
                    "secret '" + secretName + "' (spec.certSecretRef) has no 'ca.crt'");
        }
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(ca))) {
                store.setCertificateEntry("ca-" + i++, c);
            }
            if (i == 0) {
                throw new GeneralSecurityException("no certificate");
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory.getTrustManagers();
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new ArtifactException(ArtifactException.AUTHENTICATION_FAILED,
                    "secret '" + secretName + "' (spec.certSecretRef): 'ca.crt' is not a PEM certificate: " + e.getMessage());
        }
    }

    /** @return an SSL context trusting only {@code trust} */
    public static SSLContext context(TrustManager[] trust) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS context: " + e.getMessage(), e);
        }
    }
}

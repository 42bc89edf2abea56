package io.conflux.receiver.decide;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Receiver's webhook path as Flux's notification-controller computes it ({@code ReceiverReconciler}, API
 * {@code notification.toolkit.fluxcd.io/v1}): {@code /hook/} followed by the lower-case hex SHA-256 of the
 * Secret's {@code token} value concatenated with the Receiver's name and namespace, e.g.
 * {@code /hook/bed6d00b5555b1603e1f59b94d7fdbca58089cb5663633fb83f2815dc626d92b}.
 */
public final class WebhookPath {
    /** The path prefix every webhook is served under. */
    public static final String PREFIX = "/hook/";

    private WebhookPath() {
    }

    /**
     * @param token     the Secret's {@code token} value (UTF-8)
     * @param name      the Receiver's {@code metadata.name}
     * @param namespace the Receiver's {@code metadata.namespace}
     * @return the 64 hex digits of {@code sha256(token + name + namespace)}
     */
    public static String digest(String token, String name, String namespace) {
        try {
            byte[] sum = MessageDigest.getInstance("SHA-256")
                    .digest((token + name + namespace).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sum);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
        }
    }

    /** @return {@code /hook/} + {@link #digest(String, String, String)} */
    public static String of(String token, String name, String namespace) {
        return PREFIX + digest(token, name, namespace);
    }
}

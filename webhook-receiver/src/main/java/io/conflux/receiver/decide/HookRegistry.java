package io.conflux.receiver.decide;

import io.conflux.model.meta.ObjectKey;
import io.conflux.model.notification.ReceiverSpec;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The webhook paths served: digest ({@link WebhookPath}) → Receiver, its token and spec. Filled by
 * {@code consume.ReceiverWatcher} from the management cluster; a digest not here is answered 404.
 */
@ApplicationScoped
public class HookRegistry {
    private final Map<String, Hook> byDigest = new ConcurrentHashMap<>();
    private final Map<ObjectKey, String> digestByReceiver = new ConcurrentHashMap<>();

    /**
     * A served Receiver.
     *
     * @param receiver {@code Receiver/<ns>/<name>}
     * @param digest   the 64 hex digits of its path
     * @param token    the Secret's {@code token}
     * @param spec     its spec when registered
     */
    public record Hook(ObjectKey receiver, String digest, String token, ReceiverSpec spec) {
        /** Never prints the token. */
        @Override
        public String toString() {
            return "Hook[" + receiver + " /hook/" + digest + "]";
        }
    }

    /** Serves a Receiver at its digest, replacing its previous path. */
    public synchronized void register(Hook hook) {
        String old = digestByReceiver.put(hook.receiver(), hook.digest());
        if (old != null && !old.equals(hook.digest())) {
            byDigest.remove(old);
        }
        byDigest.put(hook.digest(), hook);
    }

    /** Stops serving a Receiver. */
    public synchronized void remove(ObjectKey receiver) {
        String old = digestByReceiver.remove(receiver);
        if (old != null) {
            byDigest.remove(old);
        }
    }

    /** @return the Receiver served at {@code /hook/<digest>} */
    public Optional<Hook> find(String digest) {
        return Optional.ofNullable(byDigest.get(digest));
    }
}

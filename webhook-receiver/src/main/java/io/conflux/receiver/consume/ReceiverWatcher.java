package io.conflux.receiver.consume;

import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.meta.FluxReasons;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.notification.Receiver;
import io.conflux.model.notification.ReceiverSpec;
import io.conflux.receiver.decide.HookRegistry;
import io.conflux.receiver.decide.RateLimiter;
import io.conflux.receiver.decide.ReceiverConfig;
import io.conflux.receiver.decide.WebhookPath;
import io.conflux.receiver.decide.WebhookVerifier;
import io.conflux.receiver.produce.StatusWriter;
import io.conflux.service.Ownership;
import io.conflux.service.SecretReader;
import io.conflux.service.Watches;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * Watches the management cluster's {@code Receiver}s ({@code notification.toolkit.fluxcd.io/v1}, all namespaces)
 * and serves each as Flux does: the {@code token} of {@code spec.secretRef} gives the path
 * {@code /hook/<sha256(token+name+namespace)>}, registered in {@link HookRegistry} and written to
 * {@code status.webhookPath} with {@code Ready=True} ("Receiver initialized for path: ..."). A missing Secret or
 * key gives {@code Ready=False} reason {@code TokenNotFound} (Flux's "required field 'token'"), and so does an empty
 * or blank token, which Flux accepts: the path of such a Receiver would be computable by anyone from its name and
 * namespace, so it is not served (no path registered, {@code status.webhookPath} cleared); an unsupported type
 * gives {@code NotSupported}. Every
 * Receiver is recomputed each {@code conflux.receiver.receiver-resync}, so a rotated token is picked up. Every replica
 * serves every Receiver's path (a webhook may reach any of them); only the replica owning the Receiver's key
 * ({@code Receiver/<ns>/<name>}, {@link Ownership}) writes its status, and a newly owning replica writes it as soon as
 * the partition is assigned. The token Secret is read through service-common's {@link SecretReader}.
 */
@ApplicationScoped
public class ReceiverWatcher {
    private static final Logger LOG = Logger.getLogger(ReceiverWatcher.class);
    /** Flux's {@code apiv1.TokenNotFoundReason}. */
    public static final String TOKEN_NOT_FOUND = "TokenNotFound";

    @Inject
    KubernetesClient client;
    @Inject
    Watches watches;
    @Inject
    HookRegistry hooks;
    @Inject
    RateLimiter limiter;
    @Inject
    StatusWriter status;
    @Inject
    ReceiverConfig config;
    @Inject
    SecretReader secrets;
    @Inject
    Ownership ownership;

    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "conflux-receiver-refresh");
        t.setDaemon(true);
        return t;
    });
    private SharedIndexInformer<Receiver> informer;

    void start(@Observes StartupEvent event) {
        informer = watches.watch(Receiver.class,
                client.resources(Receiver.class).inAnyNamespace().runnableInformer(config.receiverResync().toMillis()));
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Receiver r) {
                worker.execute(() -> refresh(r));
            }

            @Override
            public void onUpdate(Receiver before, Receiver after) {
                worker.execute(() -> refresh(after));
            }

            @Override
            public void onDelete(Receiver r, boolean deletedFinalStateUnknown) {
                ObjectKey key = keyOf(r);
                hooks.remove(key);
                limiter.forget(key);
                LOG.infof("%s deleted", key);
            }
        });
        // a newly owned Receiver gets its status now rather than at the next resync (called on the Kafka polling
        // thread: only hand the work over)
        ownership.onAssigned(newlyOwned -> worker.execute(() -> informer.getStore().list().stream()
                .filter(r -> newlyOwned.test(keyOf(r).toString())).forEach(this::refresh)));
        informer.start();
        LOG.info("watching Receivers");
    }

    void stop(@Observes ShutdownEvent event) {
        if (informer != null) {
            informer.close();
        }
        worker.shutdownNow();
    }

    private void refresh(Receiver r) {
        ObjectKey key = keyOf(r);
        try {
            ReceiverSpec spec = r.getSpec();
            if (spec == null || !WebhookVerifier.SUPPORTED_TYPES.contains(spec.type())) {
                hooks.remove(key);
                failed(r, FluxReasons.NOT_SUPPORTED, "Receiver type '" + (spec == null ? null : spec.type())
                        + "' is not supported; supported: github, gitlab, generic, generic-hmac");
                return;
            }
            String token = token(r);
            if (token == null) {
                hooks.remove(key);
                return;
            }
            String ns = r.getMetadata().getNamespace();
            String name = r.getMetadata().getName();
            String digest = WebhookPath.digest(token, name, ns);
            hooks.register(new HookRegistry.Hook(key, digest, token, spec));
            String path = WebhookPath.PREFIX + digest;
            var st = r.getStatus();
            boolean current = st != null && path.equals(st.webhookPath())
                    && Objects.equals(st.observedGeneration(), r.getMetadata().getGeneration())
                    && Conditions.isReady(st.conditions(), r.getMetadata().getGeneration());
            if (!current && ownership.owns(key)) {
                status.receiverReady(r, path);
                LOG.infof("%s: Receiver initialized for path: %s", key, path);
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "%s: cannot serve Receiver", key);
        }
    }

    /** @return the token, or null after writing {@code TokenNotFound} */
    private String token(Receiver r) {
        String ns = r.getMetadata().getNamespace();
        String secretName = r.getSpec().secretRef() == null ? null : r.getSpec().secretRef().name();
        if (secretName == null) {
            failed(r, TOKEN_NOT_FOUND, "spec.secretRef is not set");
            return null;
        }
        Optional<Map<String, byte[]>> secret;
        try {
            secret = secrets.secretBytes(ns, secretName);
        } catch (KubernetesClientException | IllegalArgumentException e) {
            failed(r, TOKEN_NOT_FOUND, "unable to read token from secret '" + ns + "/" + secretName + "': " + e.getMessage());
            return null;
        }
        byte[] token = secret.map(data -> data.get("token")).orElse(null);
        if (token == null) {
            failed(r, TOKEN_NOT_FOUND, secret.isEmpty() ? "unable to read token from secret '" + ns + "/" + secretName + "': not found"
                    : "invalid '" + ns + "/" + secretName + "' secret data: required field 'token'");
            return null;
        }
        String text = new String(token, StandardCharsets.UTF_8);
        if (text.isBlank()) {
            failed(r, TOKEN_NOT_FOUND, "invalid '" + ns + "/" + secretName + "' secret data: field 'token' is empty;"
                    + " the webhook path would be computable from the Receiver's name and namespace");
            return null;
        }
        return text;
    }

    private void failed(Receiver r, String reason, String message) {
        var st = r.getStatus();
        boolean same = st != null && Conditions.find(st.conditions(), Condition.READY)
                .filter(c -> !c.isTrue() && reason.equals(c.reason()) && message.equals(c.message())).isPresent();
        if (!same && ownership.owns(keyOf(r))) {
            status.receiverFailed(r, reason, message);
        }
        LOG.warnf("%s: %s: %s", keyOf(r), reason, message);
    }

    private static ObjectKey keyOf(Receiver r) {
        return new ObjectKey("Receiver", r.getMetadata().getNamespace(), r.getMetadata().getName());
    }
}

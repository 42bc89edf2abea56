package io.conflux.receiver.decide;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.topic.Trigger;
import io.conflux.receiver.decide.HookRegistry.Hook;
import io.conflux.receiver.decide.Verdict.DeliveryKey;
import io.conflux.receiver.persist.WebhookDelivery;
import io.conflux.model.topic.SourceReconcileRequest;
import io.conflux.model.topic.Topics;
import io.conflux.receiver.decide.ReconcileAnnotator.Outcome;
import io.conflux.service.Outbox;
import io.conflux.service.ReactiveRunner;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.jboss.logging.Logger;

/**
 * What happens to a webhook request on {@code /hook/<digest>}, in order: unknown digest → 404; body over
 * {@code conflux.receiver.max-body-size} → 413; suspended Receiver → 503; then {@link WebhookVerifier} (bad
 * credentials → 401, malformed → 400); then, only for a verified request, the per-Receiver rate limit (over it → 429),
 * so that unsigned requests cannot spend a Receiver's budget and lock out its real pushes; a ping or filtered event →
 * 200 without effect. Then, when the request carries a delivery id ({@code X-GitHub-Delivery},
 * {@code X-Gitlab-Event-UUID}), the delivery is claimed in {@code webhook_delivery} (a redelivery of that id → 200
 * "already processed", no effect; a request without one is processed every time, as Flux does). The claim is
 * idempotency, not protection: the id is not signed, and a verified request can do no more than ask for a
 * reconciliation. Then, as Flux's notification-controller does, the Receiver's resources are asked to reconcile and
 * nothing in the body is read: for each selected GitRepository ({@link ResourceSelection}) a
 * {@link SourceReconcileRequest} is added to the outbox ({@code conflux.reconcile-requests}), in the same transaction
 * as the delivery's claim (with the answer too, when the Receiver names nothing to annotate: one transaction per push),
 * so that whichever replica answers the webhook, the replica owning the source reconciles it
 * (ls-remote through {@link RevisionResolver}: its revision is what the remote's ref resolves to, whatever commit the
 * payload names); every selected object of another kind (Kustomization, HelmRelease, HelmRepository,
 * OCIRepository, ...) is annotated with {@code reconcile.fluxcd.io/requestedAt} ({@link ReconcileAnnotator}; a missing
 * object or an unserved kind is reported in the answer's {@code requested} and logged, the rest still triggered). If
 * the API server fails an annotation, the claim is released so the sender's retry is processed, and 500 is answered.
 */
@ApplicationScoped
public class WebhookHandler {
    private static final Logger LOG = Logger.getLogger(WebhookHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    HookRegistry hooks;
    @Inject
    RateLimiter limiter;
    @Inject
    ReceiverConfig config;
    @Inject
    SourceCache sources;
    @Inject
    Outbox outbox;
    @Inject
    ReactiveRunner runner;
    @Inject
    ReconcileAnnotator requester;

    /**
     * The answer to a webhook request.
     *
     * @param status HTTP status
     * @param body   JSON body
     */
    public record Reply(int status, Map<String, Object> body) {
        static Reply of(int status, String state, String message) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", state);
            body.put("message", message);
            return new Reply(status, body);
        }
    }

    /**
     * @param digest the path's digest
     * @param header case-insensitive header lookup (null when absent)
     * @param body   the raw body (null treated as empty)
     * @return the reply; fails only on unexpected errors
     */
    public Uni<Reply> handle(String digest, UnaryOperator<String> header, byte[] body) {
        byte[] raw = body == null ? new byte[0] : body;
        Hook hook = hooks.find(digest).orElse(null);
        if (hook == null) {
            return item(Reply.of(404, "error", "no Receiver at /hook/" + digest));
        }
        if (raw.length > config.maxBodySize().asLongValue()) {
            return item(Reply.of(413, "error", "body of " + raw.length + " bytes exceeds " + config.maxBodySize().asLongValue()));
        }
        if (Boolean.TRUE.equals(hook.spec().suspend())) {
            return item(Reply.of(503, "error", "Receiver " + hook.receiver() + " is suspended"));
        }
        Verdict verdict = WebhookVerifier.verify(hook.spec().type(), hook.token(), hook.spec().events(), header, raw);
        if (verdict.decision() == Verdict.Decision.REJECT) {
            LOG.warnf("%s: refused (%d): %s", hook.receiver(), verdict.status(), verdict.message());
            return item(Reply.of(verdict.status(), "error", verdict.message()));
        }
        // only verified requests spend the Receiver's budget: unsigned ones cannot lock out its real pushes
        if (!limiter.tryAcquire(hook.receiver())) {
            return item(Reply.of(429, "error", "rate limit of Receiver " + hook.receiver() + " exceeded"));
        }
        switch (verdict.decision()) {
            case IGNORE:
                LOG.infof("%s: %s", hook.receiver(), verdict.message());
                return item(Reply.of(200, "ignored", verdict.message()));
            default:
                break;
        }
        DeliveryKey delivery = verdict.delivery();
        Set<ObjectKey> selected = ResourceSelection.select(hook.receiver().namespace(), hook.spec().resources(), sources.list());
        List<ReconcileRequest> requests = ResourceSelection.requests(hook.receiver().namespace(), hook.spec().resources());
        if (delivery == null) {
            Uni<Void> requested = selected.isEmpty() ? Uni.createFrom().voidItem()
                    : runner.run(b -> Panache.withTransaction(() -> requestReconciles(selected, null)));
            return requested.chain(() -> dispatch(hook, verdict, null, selected, requests)).onFailure().recoverWithItem(e -> {
                LOG.errorf(e, "%s: request failed", hook.receiver());
                return Reply.of(500, "error", "processing failed: " + e.getMessage());
            });
        }
        String deliveryId = delivery.key().substring(delivery.key().indexOf(':') + 1);
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        // nothing to annotate (a Receiver of GitRepositories only): the reply is known before the transaction, which
        // stores it with the claim — one transaction per push instead of two; the relay publishes at its commit
        Reply known = requests.isEmpty() ? reply(verdict, deliveryId, selected, Instant.now(), List.of()) : null;
        return runner.run(b -> Panache.withTransaction(() ->
                        WebhookDelivery.claim(delivery.key(), hook.receiver().toString(), verdict.event(), now)
                                .call(claimed -> !claimed ? Uni.createFrom().voidItem()
                                        : requestReconciles(selected, deliveryId).chain(() -> known == null
                                        ? Uni.createFrom().voidItem()
                                        : WebhookDelivery.complete(delivery.key(), json(known.body())).replaceWithVoid()))))
                .chain(claimed -> {
                    if (!claimed) {
                        LOG.infof("%s: delivery %s already processed", hook.receiver(), delivery.key());
                        Reply reply = Reply.of(200, "duplicate", "delivery " + deliveryId + " was already processed");
                        return item(reply);
                    }
                    if (known != null) {
                        logAccepted(hook, verdict, selected.size(), 0);
                        return item(known);
                    }
                    return dispatch(hook, verdict, deliveryId, selected, requests)
                            .call(reply -> runner.run(b -> Panache.withTransaction(() -> reply.status() >= 500
                                    ? WebhookDelivery.release(delivery.key()).replaceWithVoid()
                                    : WebhookDelivery.complete(delivery.key(), json(reply.body())).replaceWithVoid())))
                            .onFailure().call(e -> runner.run(b -> Panache.withTransaction(() ->
                                    WebhookDelivery.release(delivery.key()))));
                })
                .onFailure().recoverWithItem(e -> {
                    LOG.errorf(e, "%s: delivery %s failed", hook.receiver(), delivery.key());
                    return Reply.of(500, "error", "processing failed: " + e.getMessage());
                });
    }

    /** Adds one reconcile request per selected GitRepository to the outbox, inside the caller's transaction. */
    private Uni<Void> requestReconciles(Set<ObjectKey> selected, String deliveryId) {
        String requestedAt = Instant.now().toString();
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (ObjectKey key : selected) {
            SourceReconcileRequest request = new SourceReconcileRequest(key.toString(), Trigger.WEBHOOK, deliveryId, requestedAt);
            chain = chain.chain(() -> outbox.add(Topics.RECONCILE_REQUESTS, key.toString(), request));
        }
        return chain;
    }

    private Uni<Reply> dispatch(Hook hook, Verdict verdict, String deliveryId, Set<ObjectKey> selected,
                                List<ReconcileRequest> requests) {
        Instant requestedAt = Instant.now();
        Uni<List<Outcome>> annotations = requests.isEmpty() ? item(List.of())
                : runner.run(b -> b.call(() -> requester.request(requests, requestedAt)));
        logAccepted(hook, verdict, selected.size(), requests.size());
        return annotations.map(outcomes -> reply(verdict, deliveryId, selected, requestedAt, outcomes));
    }

    private static void logAccepted(Hook hook, Verdict verdict, int sources, int annotations) {
        LOG.infof("%s: %s event, reconcile of %d source(s) requested, %d other resource entr%s to annotate",
                hook.receiver(), verdict.event() == null ? "generic" : verdict.event(), sources, annotations,
                annotations == 1 ? "y" : "ies");
    }

    /**
     * The reply to an accepted event: the sources whose reconcile was requested ({@code polling}) and the outcome of
     * each annotation ({@code requested}); 500 when an annotation failed.
     */
    private static Reply reply(Verdict verdict, String deliveryId, Set<ObjectKey> selected, Instant requestedAt,
                               List<Outcome> outcomes) {
        List<String> polling = selected.stream().map(ObjectKey::toString).sorted().toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "accepted");
        body.put("event", verdict.event());
        body.put("deliveryId", deliveryId);
        body.put("polling", polling);
        Map<String, Object> requested = new LinkedHashMap<>();
        boolean failed = false;
        for (Outcome o : outcomes) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("result", o.result().name().toLowerCase(java.util.Locale.ROOT));
            if (o.result() == ReconcileAnnotator.Result.ANNOTATED) {
                entry.put("requestedAt", requestedAt.toString());
            } else {
                entry.put("message", o.message());
            }
            failed |= o.result() == ReconcileAnnotator.Result.FAILED;
            requested.put(o.object(), entry);
        }
        body.put("requested", requested);
        if (failed) {
            body.put("status", "error");
        }
        return new Reply(failed ? 500 : 200, body);
    }

    private static <T> Uni<T> item(T value) {
        return Uni.createFrom().item(value);
    }

    private static String json(Map<String, Object> body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            return String.valueOf(body);
        }
    }
}

package io.conflux.service;

import io.conflux.model.meta.ObjectKey;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Writes the status of any Flux object as a JSON merge patch of its {@code status} subresource (absent fields are
 * kept, lists replaced), as Flux's controllers do with their status patch helper. Blocking: call it from a worker
 * thread. Conflicts (409), 429, 5xx and timeouts are retried with backoff ({@code conflux.retry.initial-backoff},
 * {@code conflux.retry.max-backoff}) up to {@code conflux.status.max-attempts} attempts in all. A patched status
 * carrying {@code conditions} is recorded as Flux's {@code gotk_reconcile_condition} series ({@link FluxMetrics}): the
 * status each service writes is the one its metrics report.
 */
@ApplicationScoped
public class StatusPatcher {
    private static final Logger LOG = Logger.getLogger(StatusPatcher.class);

    /** Flux kind → the apiVersion whose status Conflux writes. */
    public static final Map<String, String> API_VERSIONS = Map.ofEntries(
            Map.entry("Kustomization", "kustomize.toolkit.fluxcd.io/v1"),
            Map.entry("HelmRelease", "helm.toolkit.fluxcd.io/v2"),
            Map.entry("GitRepository", "source.toolkit.fluxcd.io/v1"),
            Map.entry("HelmRepository", "source.toolkit.fluxcd.io/v1"),
            Map.entry("OCIRepository", "source.toolkit.fluxcd.io/v1"),
            Map.entry("Bucket", "source.toolkit.fluxcd.io/v1"),
            Map.entry("Receiver", "notification.toolkit.fluxcd.io/v1"),
            Map.entry("Alert", "notification.toolkit.fluxcd.io/v1beta3"),
            Map.entry("Provider", "notification.toolkit.fluxcd.io/v1beta3"),
            // wt-gen (#13): source-watcher's generator, its ExternalArtifacts, HelmCharts
            Map.entry("ArtifactGenerator", "source.extensions.fluxcd.io/v1beta1"),
            Map.entry("ExternalArtifact", "source.toolkit.fluxcd.io/v1"),
            Map.entry("HelmChart", "source.toolkit.fluxcd.io/v1"));

    @Inject
    KubernetesClient client;

    @ConfigProperty(name = "conflux.retry.initial-backoff")
    Duration initialBackoff;

    @ConfigProperty(name = "conflux.retry.max-backoff")
    Duration maxBackoff;

    @ConfigProperty(name = "conflux.status.max-attempts")
    int maxAttempts;

    @Inject
    FluxMetrics metrics;

    /** For CDI. */
    public StatusPatcher() {
    }

    /** For code built by hand (tests). */
    public StatusPatcher(KubernetesClient client, Duration initialBackoff, Duration maxBackoff, int maxAttempts) {
        this.client = client;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.maxAttempts = maxAttempts;
    }

    /**
     * @param key    the object ({@code kind} one of {@link #API_VERSIONS})
     * @param status status fields to set
     * @return true when patched, false when the object does not exist (404)
     * @throws IllegalArgumentException   for a kind without status in the table
     * @throws KubernetesClientException when the patch is refused (other 4xx) or still failing after the attempts
     */
    public boolean patch(ObjectKey key, Map<String, Object> status) {
        String apiVersion = API_VERSIONS.get(key.kind());
        if (apiVersion == null) {
            throw new IllegalArgumentException("no status subresource known for kind " + key.kind());
        }
        String body = Serialization.asJson(Map.of("status", status));
        PatchContext merge = PatchContext.of(PatchType.JSON_MERGE);
        Uni<Boolean> once = Uni.createFrom().item(() -> {
                    try {
                        client.genericKubernetesResources(apiVersion, key.kind()).inNamespace(key.namespace())
                                .withName(key.name()).subresource("status").patch(merge, body);
                        return true;
                    } catch (KubernetesClientException e) {
                        if (e.getCode() == 404) {
                            return false;
                        }
                        if (e.getCode() == 422) {
                            logRefused(key, e);
                        }
                        throw e;
                    }
                });
        boolean patched = maxAttempts <= 1 ? once.await().indefinitely()
                : once.onFailure(e -> Transient.is(e) || (e instanceof KubernetesClientException k && k.getCode() == 409))
                .retry().withBackOff(initialBackoff, maxBackoff).withJitter(0.5).atMost(maxAttempts - 1L)
                .await().indefinitely();
        if (patched && metrics != null) {
            // the conditions as the API server got them (services pass records or maps)
            metrics.recordConditions(key, Serialization.unmarshal(body, Map.class));
        }
        return patched;
    }

    /**
     * A status the API server refused as invalid (422, e.g. a field Flux's CRD schema requires is missing) is logged
     * as an error naming the object and each refused field ({@code details.causes[].field}, e.g.
     * {@code status.artifact.path}), never lost in silence; the caller still gets the exception.
     */
    private static void logRefused(ObjectKey key, KubernetesClientException e) {
        var details = e.getStatus() == null ? null : e.getStatus().getDetails();
        String fields = details == null || details.getCauses() == null ? "?" : details.getCauses().stream()
                .map(c -> c.getField() + ": " + c.getMessage()).collect(java.util.stream.Collectors.joining("; "));
        LOG.errorf("status of %s refused by the API server (422 Invalid): %s", key, fields);
    }
}

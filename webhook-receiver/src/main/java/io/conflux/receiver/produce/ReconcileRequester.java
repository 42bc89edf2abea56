package io.conflux.receiver.produce;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.model.helm.HelmRelease;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.source.HelmRepository;
import io.conflux.receiver.decide.ReconcileAnnotator;
import io.conflux.receiver.decide.ReconcileRequest;
import io.conflux.receiver.decide.SourceStatus;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Asks objects of the management cluster to reconcile the way Flux's notification-controller does for a verified
 * webhook: a JSON merge patch setting the annotation {@code reconcile.fluxcd.io/requestedAt} to the time of the
 * request, on the object a Receiver entry names, or on every object of the kind in the namespace carrying its
 * {@code matchLabels} when it names {@code *}. The renderer and applier act on the annotation of Kustomizations and
 * HelmReleases (and re-render the HelmReleases of an annotated HelmRepository); other Flux kinds (OCIRepository,
 * Bucket, Image*) are annotated too when the API server serves them, for whatever controller owns them, and skipped
 * with a log line when it does not. Kinds Conflux models ({@link Kustomization}, {@link HelmRelease},
 * {@link HelmRepository}) go through their typed classes, others through the API's discovery of the apiVersion.
 * Blocking (fabric8 calls).
 */
@ApplicationScoped
public class ReconcileRequester implements ReconcileAnnotator {
    private static final Logger LOG = Logger.getLogger(ReconcileRequester.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Class<? extends HasMetadata>> TYPED = Map.of(
            Kustomization.KIND, Kustomization.class,
            HelmRelease.KIND, HelmRelease.class,
            "HelmRepository", HelmRepository.class);

    @Inject
    KubernetesClient client;

    @Override
    public List<Outcome> request(List<ReconcileRequest> requests, Instant requestedAt) {
        String patch = patch(requestedAt.toString());
        List<Outcome> out = new ArrayList<>();
        for (ReconcileRequest r : requests) {
            List<Outcome> outcomes;
            try {
                outcomes = request(r, patch);
            } catch (KubernetesClientException e) {
                outcomes = List.of(new Outcome(r.describe(), Result.FAILED, "unable to request reconciliation of "
                        + r.describe() + ": " + e.getMessage()));
            }
            for (Outcome o : outcomes) {
                switch (o.result()) {
                    case ANNOTATED -> LOG.infof("%s annotated with %s=%s", o.object(), SourceStatus.REQUESTED_AT, requestedAt);
                    case SKIPPED -> LOG.warnf("%s skipped: %s", o.object(), o.message());
                    default -> LOG.errorf("%s: %s", o.object(), o.message());
                }
            }
            out.addAll(outcomes);
        }
        return out;
    }

    private List<Outcome> request(ReconcileRequest r, String patch) {
        if (r.apiVersion() == null) {
            return List.of(new Outcome(r.describe(), Result.SKIPPED, "apiVersion must be specified for kind '" + r.kind() + "'"));
        }
        Class<? extends HasMetadata> typed = TYPED.get(r.kind());
        if (typed != null && HasMetadata.getGroup(typed).equals(group(r.apiVersion()))) {
            return annotate(client.resources(typed), r, patch);
        }
        Optional<ResourceDefinitionContext> served = served(r.apiVersion(), r.kind());
        if (served.isEmpty()) {
            return List.of(new Outcome(r.describe(), Result.SKIPPED, "the API server does not serve kind '" + r.kind()
                    + "' in " + r.apiVersion()));
        }
        return annotate(client.genericKubernetesResources(served.get()), r, patch);
    }

    private <T extends HasMetadata, L extends KubernetesResourceList<T>, R extends Resource<T>> List<Outcome> annotate(
            MixedOperation<T, L, R> kind, ReconcileRequest r, String patch) {
        NonNamespaceOperation<T, L, R> inNamespace = kind.inNamespace(r.namespace());
        if (!r.wildcard()) {
            return List.of(annotate(inNamespace, r.kind(), r.namespace(), r.name(), patch));
        }
        L list = r.matchLabels() == null ? inNamespace.list() : inNamespace.withLabels(r.matchLabels()).list();
        if (list.getItems().isEmpty()) {
            return List.of(new Outcome(r.describe(), Result.NOT_FOUND, "no '" + r.kind() + "' resources found with matching labels '"
                    + (r.matchLabels() == null ? Map.of() : r.matchLabels()) + "' in '" + r.namespace() + "' namespace"));
        }
        List<Outcome> out = new ArrayList<>();
        for (T item : list.getItems()) {
            out.add(annotate(inNamespace, r.kind(), r.namespace(), item.getMetadata().getName(), patch));
        }
        return out;
    }

    private static <T extends HasMetadata, L extends KubernetesResourceList<T>, R extends Resource<T>> Outcome annotate(
            NonNamespaceOperation<T, L, R> inNamespace, String kind, String namespace, String name, String patch) {
        String object = kind + "/" + namespace + "/" + name;
        try {
            inNamespace.withName(name).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
            return new Outcome(object, Result.ANNOTATED, null);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return new Outcome(object, Result.NOT_FOUND, "unable to read " + kind + " '" + namespace + "/" + name + "': not found");
            }
            return new Outcome(object, Result.FAILED, "unable to annotate " + kind + " '" + namespace + "/" + name + "': " + e.getMessage());
        }
    }

    /** @return how to address the kind in that apiVersion, if the API server's discovery lists it */
    private Optional<ResourceDefinitionContext> served(String apiVersion, String kind) {
        APIResourceList resources;
        try {
            resources = client.getApiResources(apiVersion);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
        if (resources == null || resources.getResources() == null) {
            return Optional.empty();
        }
        for (APIResource resource : resources.getResources()) {
            if (kind.equals(resource.getKind()) && !resource.getName().contains("/")) {
                int slash = apiVersion.indexOf('/');
                return Optional.of(new ResourceDefinitionContext.Builder()
                        .withGroup(slash < 0 ? "" : apiVersion.substring(0, slash))
                        .withVersion(apiVersion.substring(slash + 1))
                        .withKind(kind)
                        .withPlural(resource.getName())
                        .withNamespaced(Boolean.TRUE.equals(resource.getNamespaced()))
                        .build());
            }
        }
        return Optional.empty();
    }

    private static String group(String apiVersion) {
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash);
    }

    private static String patch(String requestedAt) {
        try {
            return JSON.writeValueAsString(Map.of("metadata", Map.of("annotations", Map.of(SourceStatus.REQUESTED_AT, requestedAt))));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

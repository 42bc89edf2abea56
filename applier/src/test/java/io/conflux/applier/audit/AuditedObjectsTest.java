package io.conflux.applier.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.FluxKinds;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.meta.StallAudit;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The stall audit's reads: a kind with a synced cache is read from it and never listed (at 10,000 Kustomizations a list
 * every round was 10,000 objects through the API server), the other kinds are listed, a kind not installed (404) is
 * left out, and the cached objects come out as the same JSON the decision reads from a list.
 */
class AuditedObjectsTest {
    private static final String KUSTOMIZATION = "{\"apiVersion\":\"kustomize.toolkit.fluxcd.io/v1\",\"kind\":\"Kustomization\","
            + "\"metadata\":{\"name\":\"app\",\"namespace\":\"team\",\"generation\":2,\"resourceVersion\":\"7\","
            + "\"creationTimestamp\":\"2026-12-07T10:00:00Z\"},\"spec\":{\"interval\":\"5m\",\"timeout\":\"1m\","
            + "\"path\":\"./app\",\"sourceRef\":{\"kind\":\"GitRepository\",\"name\":\"repo\"},"
            + "\"dependsOn\":[{\"name\":\"infra\"}]},\"status\":{\"observedGeneration\":1,\"conditions\":[{\"type\":\"Ready\","
            + "\"status\":\"True\",\"reason\":\"ReconciliationSucceeded\",\"message\":\"Applied\",\"observedGeneration\":1,"
            + "\"lastTransitionTime\":\"2026-12-07T10:01:00Z\"}]}}";

    /** Equal JSON values, a number equal to the same number of another node type (an int read back as a long). */
    private static final Comparator<JsonNode> SAME_VALUE = (a, b) -> a.equals(b)
            || a.isNumber() && b.isNumber() && a.decimalValue().compareTo(b.decimalValue()) == 0 ? 0 : 1;

    private static ResourceDefinitionContext kind(String name) {
        return FluxKinds.WITH_STATUS.stream().filter(k -> k.getKind().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aCachedKindIsReadFromTheCacheAndNotListed() {
        Kustomization cached = Serialization.unmarshal(KUSTOMIZATION, Kustomization.class);
        GenericKubernetesResource repo = Serialization.unmarshal("{\"apiVersion\":\"source.toolkit.fluxcd.io/v1\","
                + "\"kind\":\"GitRepository\",\"metadata\":{\"name\":\"repo\",\"namespace\":\"team\"}}",
                GenericKubernetesResource.class);
        List<String> listed = new ArrayList<>();
        Map<ObjectKey, JsonNode> objects = AuditedObjects.read(List.of(kind("GitRepository"), kind("Kustomization")),
                k -> k.equals("Kustomization") ? Optional.of(List.of(cached)) : Optional.empty(),
                k -> {
                    listed.add(k.getKind());
                    return k.getKind().equals("GitRepository") ? List.of(repo) : List.of();
                });
        assertThat(listed).containsExactly("GitRepository");
        assertThat(objects).containsOnlyKeys(new ObjectKey("GitRepository", "team", "repo"),
                new ObjectKey("Kustomization", "team", "app"));
    }

    @Test
    void aCachedObjectReadsAsTheListedOneForEveryFieldTheAuditReads() {
        Kustomization cached = Serialization.unmarshal(KUSTOMIZATION, Kustomization.class);
        GenericKubernetesResource listedObject = Serialization.unmarshal(KUSTOMIZATION, GenericKubernetesResource.class);
        ObjectKey key = new ObjectKey("Kustomization", "team", "app");
        JsonNode fromCache = AuditedObjects.read(List.of(kind("Kustomization")), k -> Optional.of(List.of(cached)),
                k -> List.of()).get(key);
        JsonNode fromList = AuditedObjects.read(List.of(kind("Kustomization")), k -> Optional.empty(),
                k -> List.<HasMetadata>of(listedObject)).get(key);
        for (String path : List.of("/kind", "/metadata/generation", "/metadata/resourceVersion",
                "/metadata/creationTimestamp", "/spec/interval", "/spec/timeout", "/spec/sourceRef", "/spec/dependsOn",
                "/status/observedGeneration", "/status/conditions")) {
            assertThat(fromCache.at(path).equals(SAME_VALUE, fromList.at(path))).as(path + ": " + fromCache.at(path)
                    + " against " + fromList.at(path)).isTrue();
            assertThat(fromCache.at(path).isMissingNode()).as(path).isFalse();
        }
        // and the decision: generation 2 not reconciled since 10:00, past 5m + 1m + 1m at 11:00
        Instant now = Instant.parse("2026-12-07T11:00:00Z");
        Optional<StallAudit.Stall> stall = StallAudit.of(fromCache, k -> Optional.empty(), now, Duration.ofMinutes(1));
        assertThat(stall).isPresent();
        assertThat(stall).isEqualTo(StallAudit.of(fromList, k -> Optional.empty(), now, Duration.ofMinutes(1)));
    }

    @Test
    void aKindNotInstalledIsLeftOutAndAnyOtherFailureEndsTheRound() {
        Map<ObjectKey, JsonNode> objects = AuditedObjects.read(List.of(kind("Bucket")), k -> Optional.empty(), k -> {
            throw new KubernetesClientException("not found", 404, null);
        });
        assertThat(objects).isEmpty();
        assertThatThrownBy(() -> AuditedObjects.read(List.of(kind("Bucket")), k -> Optional.empty(), k -> {
            throw new KubernetesClientException("unavailable", 503, null);
        })).isInstanceOf(KubernetesClientException.class);
    }
}

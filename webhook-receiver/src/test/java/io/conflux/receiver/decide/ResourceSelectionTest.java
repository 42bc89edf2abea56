package io.conflux.receiver.decide;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.model.meta.ObjectKey;
import io.conflux.model.notification.ReceiverSpec.ResourceSelector;
import io.conflux.model.source.GitRepository;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ResourceSelectionTest {

    private static GitRepository repo(String ns, String name, Map<String, String> labels) {
        GitRepository g = new GitRepository();
        g.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(name).withLabels(labels).build());
        return g;
    }

    private static final List<GitRepository> ALL = List.of(
            repo("flux-system", "infra", Map.of("team", "platform")),
            repo("flux-system", "apps", Map.of("team", "apps")),
            repo("flux-system", "tools", Map.of("team", "platform", "tier", "1")),
            repo("other", "infra", Map.of("team", "platform")));

    @Test
    void byNameDefaultingToTheReceiversNamespace() {
        var selected = ResourceSelection.select("flux-system",
                List.of(new ResourceSelector(null, "GitRepository", "infra", null, null)), ALL);
        assertThat(selected).containsExactly(new ObjectKey("GitRepository", "flux-system", "infra"));
        var other = ResourceSelection.select("flux-system",
                List.of(new ResourceSelector(null, "GitRepository", "infra", "other", null)), ALL);
        assertThat(other).containsExactly(new ObjectKey("GitRepository", "other", "infra"));
    }

    @Test
    void wildcardWithMatchLabels() {
        var selected = ResourceSelection.select("flux-system",
                List.of(new ResourceSelector(null, "GitRepository", "*", null, Map.of("team", "platform"))), ALL);
        assertThat(selected).containsExactly(new ObjectKey("GitRepository", "flux-system", "infra"),
                new ObjectKey("GitRepository", "flux-system", "tools"));
        var everything = ResourceSelection.select("flux-system",
                List.of(new ResourceSelector(null, "GitRepository", "*", null, null)), ALL);
        assertThat(everything).hasSize(3);
    }

    @Test
    void selectNamesOnlyGitRepositories() {
        assertThat(ResourceSelection.select("flux-system",
                List.of(new ResourceSelector(null, "Kustomization", "*", null, null)), ALL)).isEmpty();
        assertThat(ResourceSelection.select("flux-system", null, ALL)).isEmpty();
    }

    @Test
    void otherKindsAreRequestsToAnnotateWithNamespaceAndApiVersionDefaulted() {
        var requests = ResourceSelection.requests("flux-system", List.of(
                new ResourceSelector(null, "GitRepository", "infra", null, null),
                new ResourceSelector(null, "Kustomization", "apps", null, null),
                new ResourceSelector("helm.toolkit.fluxcd.io/v2beta1", "HelmRelease", "podinfo", "apps", null),
                new ResourceSelector(null, "HelmRepository", "*", null, Map.of("team", "platform")),
                new ResourceSelector(null, "OCIRepository", "manifests", null, null),
                new ResourceSelector(null, "ImagePolicy", "app", null, null),
                new ResourceSelector(null, "Kustomization", "apps", "", null)));
        assertThat(requests).containsExactly(
                new ReconcileRequest("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "flux-system", "apps", null),
                new ReconcileRequest("helm.toolkit.fluxcd.io/v2beta1", "HelmRelease", "apps", "podinfo", null),
                new ReconcileRequest("source.toolkit.fluxcd.io/v1", "HelmRepository", "flux-system", "*",
                        Map.of("team", "platform")),
                // Flux's defaults for the kinds Conflux does not serve
                new ReconcileRequest("source.toolkit.fluxcd.io/v1beta2", "OCIRepository", "flux-system", "manifests", null),
                // no default: Flux requires the apiVersion, the requester reports it
                new ReconcileRequest(null, "ImagePolicy", "flux-system", "app", null));
        assertThat(requests.get(2).wildcard()).isTrue();
        assertThat(requests.get(2).describe()).isEqualTo("HelmRepository/flux-system/*");
        assertThat(requests.get(0).wildcard()).isFalse();
        assertThat(ResourceSelection.requests("flux-system", null)).isEmpty();
        assertThat(ResourceSelection.requests("flux-system", List.of(
                new ResourceSelector(null, "GitRepository", "*", null, null)))).isEmpty();
    }

    @Test
    void rateLimiterRefusesBeyondBudgetAndRefills() {
        AtomicLong now = new AtomicLong();
        RateLimiter limiter = new RateLimiter(now::get);
        limiter.configure(2, Duration.ofSeconds(10));
        ObjectKey r = new ObjectKey("Receiver", "ns", "r");
        assertThat(limiter.tryAcquire(r)).isTrue();
        assertThat(limiter.tryAcquire(r)).isTrue();
        assertThat(limiter.tryAcquire(r)).isFalse();
        assertThat(limiter.tryAcquire(new ObjectKey("Receiver", "ns", "other"))).isTrue();
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        assertThat(limiter.tryAcquire(r)).isTrue();
        assertThat(limiter.tryAcquire(r)).isFalse();
    }
}

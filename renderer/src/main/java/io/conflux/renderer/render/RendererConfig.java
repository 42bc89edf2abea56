package io.conflux.renderer.render;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The renderer's configuration keys; documented in {@code application.properties}. Two mappings, {@code conflux.renderer}
 * and {@code conflux.git}, not one of {@code conflux}: a mapping of the whole {@code conflux} prefix would refuse
 * service-common's keys ({@code conflux.ownership.*}, {@code conflux.outbox.*}, …) as unknown. The service's instance
 * is produced from the two ({@link RendererAssembly#rendererConfig}).
 */
public interface RendererConfig {

    /** {@code conflux.renderer.*} */
    Renderer renderer();

    /** {@code conflux.git.*} */
    Git git();

    /** Renderer keys. */
    @ConfigMapping(prefix = "conflux.renderer")
    interface Renderer {
        /** {@code conflux.renderer.mirrors-dir}: where the bare Git mirrors live. */
        @WithName("mirrors-dir")
        Path mirrorsDir();

        /** {@code conflux.renderer.git-timeout}: bound of one fetch when the GitRepository sets no {@code spec.timeout}. */
        @WithName("git-timeout")
        Duration gitTimeout();

        /** {@code conflux.renderer.charts-dir}: where downloaded Helm charts are cached, by digest. */
        @WithName("charts-dir")
        Path chartsDir();

        /** {@code conflux.renderer.helm-timeout}: bound of index and chart downloads when a HelmRepository sets none. */
        @WithName("helm-timeout")
        Duration helmTimeout();

        /**
         * {@code conflux.renderer.helm-prepared-charts}: how many packaged charts, by SHA-256 of the archive and
         * {@code .Capabilities}, are kept unpacked and prepared between HelmRelease renders (least recently used
         * evicted); 0 prepares each render's chart afresh.
         */
        @WithName("helm-prepared-charts")
        int helmPreparedCharts();

        /**
         * {@code conflux.renderer.discovery-cache}: how long one read of the management cluster's API discovery is
         * used as the {@code .Capabilities} of the HelmReleases rendered for it ({@link ClusterCapabilities}).
         */
        @WithName("discovery-cache")
        Duration discoveryCache();

        /**
         * {@code conflux.renderer.insecure-kubeconfig-exec}: whether a HelmRelease's kubeconfig Secret may use
         * {@code users[].user.exec} or {@code auth-provider} when the renderer reads the target cluster's discovery
         * (Flux's {@code --insecure-kubeconfig-exec}; set it as {@code conflux.applier.insecure-kubeconfig-exec}).
         */
        @WithName("insecure-kubeconfig-exec")
        boolean insecureKubeconfigExec();

        /**
         * {@code conflux.renderer.default-service-account}: the service account impersonated when the renderer reads the
         * discovery of a HelmRelease's target cluster ({@code spec.kubeConfig}) and the HelmRelease names no
         * {@code spec.serviceAccountName} (Flux's {@code --default-service-account}; set it as
         * {@code conflux.applier.default-service-account}). Empty: the kubeconfig's own identity.
         */
        @WithName("default-service-account")
        java.util.Optional<String> defaultServiceAccount();

        /**
         * {@code conflux.renderer.build-workers}: threads running Kustomization builds at once; a build that outlives
         * its {@code spec.timeout} is stopped and frees its thread ({@link BoundedBuild}).
         */
        @WithName("build-workers")
        int buildWorkers();

        /** {@code conflux.renderer.build-queue}: builds that may wait for a thread; beyond, a build is retried later. */
        @WithName("build-queue")
        int buildQueue();

        /**
         * {@code conflux.renderer.no-cross-namespace-refs}: refuse Kustomizations and HelmReleases whose source is in
         * another namespace (Flux's {@code --no-cross-namespace-refs}; {@link CrossNamespaceRefs}).
         */
        @WithName("no-cross-namespace-refs")
        boolean noCrossNamespaceRefs();

        /**
         * {@code conflux.renderer.strict-post-build-substitutions}: an undefined {@code spec.postBuild} variable
         * without a default fails the render naming the variable and the object (kustomize-controller's
         * {@code StrictPostBuildSubstitutions} feature gate, on by default since its v1.9); false substitutes the empty
         * string.
         */
        @WithName("strict-post-build-substitutions")
        boolean strictPostBuildSubstitutions();

        /**
         * {@code conflux.renderer.kustomize.remote-bases}: whether a kustomization may name remote bases, components
         * and resource URLs, fetched at build time ({@link io.conflux.git.KustomizeRemoteFetcher}: anonymous, bounded
         * by {@code conflux.renderer.git-timeout} and {@code conflux.git.max-fetch-size}, through
         * {@code conflux.git.url-rewrites}, never {@code file://}). Flux's kustomize-controller allows them unless
         * started with {@code --no-remote-bases}; false refuses them (the render fails BuildFailed naming the target).
         */
        @WithName("kustomize.remote-bases")
        boolean kustomizeRemoteBases();

        /**
         * {@code conflux.renderer.requeue-dependency}: how soon a Kustomization or HelmRelease whose source is missing
         * or has no artifact yet is rendered again (Flux's {@code --requeue-dependency}, 30 s), doubling while it stays
         * missing, at most the object's {@code retryInterval} (else interval) ({@link SourceWaiters}).
         */
        @WithName("requeue-dependency")
        Duration requeueDependency();
    }

    /** Git keys shared with the webhook-receiver. */
    @ConfigMapping(prefix = "conflux.git")
    interface Git {
        /** {@code conflux.git.url-rewrites."<insteadOf prefix>"=<base>}: git insteadOf rewrites. */
        @WithName("url-rewrites")
        Map<String, String> urlRewrites();

        /** {@code conflux.git.max-fetch-size}: most bytes one fetch may receive over SSH or HTTP(S), e.g. {@code 1G}. */
        @WithName("max-fetch-size")
        MemorySize maxFetchSize();
    }
}

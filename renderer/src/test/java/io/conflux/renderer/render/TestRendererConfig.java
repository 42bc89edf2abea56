package io.conflux.renderer.render;

import io.quarkus.runtime.configuration.MemorySize;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A {@link RendererConfig} for tests that build renderer parts by hand: 20 s Git and Helm timeouts, 64 MiB fetches, a
 * 30 s dependency requeue unless given.
 */
public final class TestRendererConfig {
    private TestRendererConfig() {
    }

    /**
     * @param mirrors the Git mirrors directory
     * @param charts  the Helm chart cache directory
     * @return the configuration, without URL rewrites
     */
    public static RendererConfig of(Path mirrors, Path charts) {
        return of(mirrors, charts, Map.of());
    }

    /**
     * @param mirrors  the Git mirrors directory
     * @param charts   the Helm chart cache directory
     * @param rewrites the operator's {@code conflux.git.url-rewrites}, insteadOf prefix → base
     * @return the configuration
     */
    public static RendererConfig of(Path mirrors, Path charts, Map<String, String> rewrites) {
        return of(mirrors, charts, rewrites, Duration.ofSeconds(30));
    }

    /**
     * @param mirrors           the Git mirrors directory
     * @param charts            the Helm chart cache directory
     * @param rewrites          the operator's {@code conflux.git.url-rewrites}, insteadOf prefix → base
     * @param requeueDependency {@code conflux.renderer.requeue-dependency} (30 s, as application.properties, in the
     *                          other overloads)
     * @return the configuration
     */
    public static RendererConfig of(Path mirrors, Path charts, Map<String, String> rewrites, Duration requeueDependency) {
        return new RendererConfig() {
            @Override
            public Renderer renderer() {
                return new Renderer() {
                    @Override
                    public Path mirrorsDir() {
                        return mirrors;
                    }

                    @Override
                    public Duration gitTimeout() {
                        return Duration.ofSeconds(20);
                    }

                    @Override
                    public Path chartsDir() {
                        return charts;
                    }

                    @Override
                    public Duration helmTimeout() {
                        return Duration.ofSeconds(20);
                    }

                    @Override
                    public int helmPreparedCharts() {
                        return 32; // as application.properties
                    }

                    @Override
                    public Duration discoveryCache() {
                        return Duration.ZERO;
                    }

                    @Override
                    public boolean insecureKubeconfigExec() {
                        return false;
                    }

                    @Override
                    public java.util.Optional<String> defaultServiceAccount() {
                        return java.util.Optional.empty();
                    }

                    @Override
                    public int buildWorkers() {
                        return 2;
                    }

                    @Override
                    public int buildQueue() {
                        return 8;
                    }

                    @Override
                    public boolean noCrossNamespaceRefs() {
                        return false;
                    }

                    @Override
                    public boolean strictPostBuildSubstitutions() {
                        return PostBuild.DEFAULT_STRICT;
                    }

                    @Override
                    public boolean kustomizeRemoteBases() {
                        return false;
                    }

                    @Override
                    public Duration requeueDependency() {
                        return requeueDependency;
                    }
                };
            }

            @Override
            public Git git() {
                return new Git() {
                    @Override
                    public Map<String, String> urlRewrites() {
                        return rewrites;
                    }

                    @Override
                    public MemorySize maxFetchSize() {
                        return new MemorySize(BigInteger.valueOf(64L << 20));
                    }
                };
            }
        };
    }
}

package io.conflux.receiver.decide;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import java.util.Map;

/** The Git keys shared by the receiver and the renderer ({@code conflux.git.*}). */
@ConfigMapping(prefix = "conflux.git")
public interface GitConfig {

    /**
     * {@code conflux.git.url-rewrites."<insteadOf prefix>"=<base>}: git {@code url.<base>.insteadOf=<prefix>}
     * rewrites applied before every remote operation; empty when no key is given.
     */
    @WithName("url-rewrites")
    Map<String, String> urlRewrites();

    /**
     * {@code conflux.git.max-fetch-size}: most bytes one remote operation may receive over SSH or HTTP(S), e.g.
     * {@code 1G}.
     */
    @WithName("max-fetch-size")
    MemorySize maxFetchSize();
}

package io.conflux.receiver.decide;

import io.conflux.git.GitUrlRewriter;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefaults;
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
    @WithDefaults
    Map<String, String> urlRewrites();

    /** @return a rewriter for {@link #urlRewrites()} */
    default GitUrlRewriter rewriter() {
        return new GitUrlRewriter(urlRewrites());
    }
}

package io.conflux.applier.reconcile;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The strategy of each kind, for {@link Reconcilable#act}. */
@ApplicationScoped
public class Strategies {
    @Inject
    KustomizationStrategy kustomization;
    @Inject
    ReleaseStrategy release;

    /** @return the Kustomization strategy: apply, prune, health checks */
    KustomizationStrategy kustomization() {
        return kustomization;
    }

    /** @return the HelmRelease strategy: install/upgrade with remediation */
    ReleaseStrategy release() {
        return release;
    }
}

package io.conflux.renderer.consume;

import io.conflux.model.helm.HelmRelease;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.source.ExternalArtifact;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.HelmRepository;
import io.conflux.renderer.source.HelmRepositoryReconciler;
import io.conflux.renderer.render.RenderCoordinator;
import io.conflux.service.TraceContext;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Watches the management cluster's {@code Kustomization}s, {@code GitRepository}s and {@code HelmRelease}s
 * (storage versions) and tells the {@link RenderCoordinator} when an object needs rendering: on creation, on a
 * spec change ({@code metadata.generation}) and on a new {@code reconcile.fluxcd.io/requestedAt}. Every handler runs
 * outside any trace ({@link TraceContext#detached(ResourceEventHandler)}): a watch event belongs to no push, so the
 * renders it starts (e.g. of a GitRepository whose artifact changed) are not tied into whatever trace the delivering
 * thread last ran; a push's renders are children of its source revision's record only.
 */
@ApplicationScoped
public class FluxObjectWatcher {
    private static final Logger LOG = Logger.getLogger(FluxObjectWatcher.class);

    @Inject
    RenderCoordinator coordinator;
    @Inject
    HelmRepositoryReconciler helmRepositoryReconciler;

    @Inject
    InformerCaches caches;

    void start(@Observes StartupEvent event) {
        // A GitRepository's status may name the artifact the renderer last fetched (before a restart).
        caches.gitRepositoryInformer().addEventHandler(TraceContext.detached(new ResourceEventHandler<>() {
            @Override
            public void onAdd(GitRepository repo) {
                coordinator.onGitRepository(repo);
            }

            @Override
            public void onUpdate(GitRepository before, GitRepository after) {
                coordinator.onGitRepository(after);
                // the source's owner stored a new artifact (it writes the status after storing): render ours
                if (!Objects.equals(artifact(before), artifact(after))) {
                    coordinator.onSourceStored(after).subscribe().with(v -> { }, e -> LOG.errorf(e,
                            "rendering the objects of GitRepository %s failed", after.getMetadata().getName()));
                }
            }

            @Override
            public void onDelete(GitRepository repo, boolean deletedFinalStateUnknown) {
                // nothing to render (its Kustomizations report the missing source); its stored artifact goes
                coordinator.onGitRepositoryDeleted(repo).subscribe().with(v -> { },
                        e -> LOG.errorf(e, "artifact of GitRepository %s not deleted", repo.getMetadata().getName()));
            }
        }));
        caches.kustomizationInformer().addEventHandler(TraceContext.detached(handler(k -> coordinator.onKustomizationChanged(k)
                .subscribe().with(v -> { }, e -> LOG.errorf(e, "rendering %s failed", k.getMetadata().getName())),
                coordinator::onDeleted)));
        // A HelmRepository that appears or changes has its index fetched (status) ...
        caches.helmRepositoryInformer().addEventHandler(TraceContext.detached(new ResourceEventHandler<>() {
            @Override
            public void onAdd(HelmRepository repo) {
                helmRepositoryReconciler.onChange(repo);
            }

            @Override
            public void onUpdate(HelmRepository before, HelmRepository after) {
                // a spec change, or `flux reconcile source helm` (a new reconcile.fluxcd.io/requestedAt)
                if (!Objects.equals(before.getMetadata().getGeneration(), after.getMetadata().getGeneration())
                        || !Objects.equals(requestedAt(before), requestedAt(after))) {
                    helmRepositoryReconciler.onChange(after);
                }
            }

            @Override
            public void onDelete(HelmRepository repo, boolean deletedFinalStateUnknown) {
                helmRepositoryReconciler.onDelete(repo);
            }
        }));
        // ... and re-renders the HelmReleases whose chart it serves, with those whose last render found it missing.
        caches.helmRepositoryInformer().addEventHandler(TraceContext.detached(handler(repo -> coordinator.onHelmRepository(repo)
                .subscribe().with(v -> { }, e -> LOG.errorf(e, "rendering the HelmReleases of HelmRepository %s failed",
                        repo.getMetadata().getName())), repo -> { })));
        caches.helmReleaseInformer().addEventHandler(TraceContext.detached(handler(hr -> coordinator.onHelmRelease(hr)
                .subscribe().with(v -> { }, e -> LOG.errorf(e, "reporting %s failed", hr.getMetadata().getName())),
                coordinator::onDeleted)));
        // An ArtifactGenerator created or changed is generated by its owner; a deleted one takes its ExternalArtifacts.
        caches.artifactGeneratorInformer().addEventHandler(TraceContext.detached(handler(g -> coordinator.onArtifactGenerator(g)
                .subscribe().with(v -> { }, e -> LOG.errorf(e, "generating %s failed", g.getMetadata().getName())),
                g -> coordinator.onArtifactGeneratorDeleted(g).subscribe().with(v -> { },
                        e -> LOG.errorf(e, "ExternalArtifacts of %s not deleted", g.getMetadata().getName())))));
        // An ExternalArtifact whose artifact changed (its generator's owner stored it) renders its Kustomizations here.
        caches.externalArtifactInformer().addEventHandler(TraceContext.detached(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ExternalArtifact artifact) {
                stored(artifact);
            }

            @Override
            public void onUpdate(ExternalArtifact before, ExternalArtifact after) {
                if (!Objects.equals(artifactOf(before), artifactOf(after))) {
                    stored(after);
                }
            }

            @Override
            public void onDelete(ExternalArtifact artifact, boolean deletedFinalStateUnknown) {
                // deleted by its generator's owner (no longer an output), or by someone else: then its generator,
                // if it still exists, applies it again
                coordinator.onExternalArtifactDeleted(artifact).subscribe().with(v -> { }, e -> LOG.errorf(e,
                        "regenerating after ExternalArtifact %s was deleted failed", artifact.getMetadata().getName()));
            }

            private void stored(ExternalArtifact artifact) {
                if (artifactOf(artifact) != null) {
                    coordinator.onExternalArtifactStored(artifact).subscribe().with(v -> { }, e -> LOG.errorf(e,
                            "rendering the objects of ExternalArtifact %s failed", artifact.getMetadata().getName()));
                }
            }
        }));
        // A HelmChart created or changed is pulled or packaged by its owner, then every interval.
        caches.helmChartInformer().addEventHandler(TraceContext.detached(handler(c -> coordinator.onHelmChart(c)
                .subscribe().with(v -> { }, e -> LOG.errorf(e, "reconciling HelmChart %s failed", c.getMetadata().getName())),
                coordinator::onHelmChartDeleted)));
        caches.start();
        LOG.info("watching Kustomizations, GitRepositories, HelmReleases, HelmRepositories, ArtifactGenerators,"
                + " ExternalArtifacts and HelmCharts");
    }

    /**
     * @return a handler calling {@code onChange} on add, and on updates that change generation or requestedAt, and
     *         {@code onDelete} on delete
     */
    static <T extends HasMetadata> ResourceEventHandler<T> handler(Consumer<T> onChange, Consumer<T> onDelete) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                onChange.accept(obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                if (!Objects.equals(oldObj.getMetadata().getGeneration(), newObj.getMetadata().getGeneration())
                        || !Objects.equals(requestedAt(oldObj), requestedAt(newObj))) {
                    onChange.accept(newObj);
                }
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                // The applier garbage-collects what a deleted object applied; nothing to render, its timer stops.
                onDelete.accept(obj);
            }
        };
    }

    /** @return the ExternalArtifact's {@code status.artifact}, null when it has none */
    private static Object artifactOf(ExternalArtifact artifact) {
        return artifact.getStatus() == null ? null : artifact.getStatus().artifact();
    }

    /** @return the GitRepository's {@code status.artifact}, null when it has none */
    private static Object artifact(GitRepository repository) {
        return repository.getStatus() == null ? null : repository.getStatus().artifact();
    }

    private static String requestedAt(HasMetadata o) {
        Map<String, String> a = o.getMetadata().getAnnotations();
        return a == null ? null : a.get(Kustomization.REQUESTED_AT_ANNOTATION);
    }
}

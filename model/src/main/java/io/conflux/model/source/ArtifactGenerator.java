package io.conflux.model.source;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Flux's {@code ArtifactGenerator} ({@code source.extensions.fluxcd.io/v1beta1}, fluxcd/source-watcher's
 * {@code docs/spec/v1beta1/artifactgenerators.md}): composes and splits the artifacts of its sources into
 * {@link ExternalArtifact}s by copy rules.
 */
@Group(ArtifactGenerator.GROUP)
@Version(ArtifactGenerator.VERSION)
@Kind(ArtifactGenerator.KIND)
@Plural("artifactgenerators")
public class ArtifactGenerator extends CustomResource<ArtifactGeneratorSpec, ArtifactGeneratorStatus> implements Namespaced {
    public static final String GROUP = "source.extensions.fluxcd.io";
    public static final String VERSION = "v1beta1";
    public static final String KIND = "ArtifactGenerator";
    /** {@code group/version}. */
    public static final String API_VERSION = GROUP + "/" + VERSION;
    /** Label source-watcher puts on each generated ExternalArtifact: the generator's UID. */
    public static final String GENERATOR_LABEL = "source.extensions.fluxcd.io/generator";
    /** Annotation {@code reconcile: disabled} pauses a generator (source-watcher's {@code ReconcileAnnotation}). */
    public static final String RECONCILE_ANNOTATION = "source.extensions.fluxcd.io/reconcile";
    /** The artifact metadata key of the origin revision ({@code originRevision}). */
    public static final String ORIGIN_REVISION = "org.opencontainers.image.revision";
}

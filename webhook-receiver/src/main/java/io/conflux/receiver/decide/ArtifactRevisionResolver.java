package io.conflux.receiver.decide;

import io.conflux.artifacts.ArtifactException;
import io.conflux.artifacts.BucketSources;
import io.conflux.artifacts.OciSources;
import io.conflux.artifacts.SecretLookup;
import io.conflux.model.source.Bucket;
import io.conflux.model.source.OCIRepository;
import io.conflux.service.SecretReader;
import io.conflux.service.Transient;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Optional;

/**
 * Resolves what an {@code OCIRepository} or {@code Bucket} points at now, as source-controller's reconcileSource
 * does before it builds the artifact: an OCIRepository's ref against the registry (tags list, manifest HEAD/GET:
 * {@code <tag>@sha256:<digest>}, {@code sha256:<digest>}), a Bucket's object index (S3 ListObjectsV2:
 * {@code sha256:<index digest>}); see the artifacts module's {@link OciSources} and {@link BucketSources}. Secrets
 * are read through service-common's {@link SecretReader}: an API server outage is rethrown (transient), not reported
 * as a source failure. Blocking (network, Kubernetes API).
 */
@ApplicationScoped
public class ArtifactRevisionResolver {
    @Inject
    SecretReader secrets;

    /**
     * @param source an OCIRepository or a Bucket
     * @return its current revision
     * @throws RevisionResolver.SourceFailure with Flux's reason ({@code OCIArtifactPullFailed},
     *                                        {@code BucketOperationFailed}, {@code AuthenticationFailed},
     *                                        {@code URLInvalid}, {@code NotSupported} naming the field)
     */
    public String resolve(HasMetadata source) {
        SecretLookup lookup = name -> read(source.getMetadata().getNamespace(), name);
        try {
            return source instanceof OCIRepository o ? OciSources.revision(o, lookup)
                    : BucketSources.revision((Bucket) source, lookup);
        } catch (ArtifactException e) {
            throw new RevisionResolver.SourceFailure(e.reason(), e.getMessage());
        }
    }

    private Optional<Map<String, byte[]>> read(String namespace, String name) {
        try {
            return secrets.secretBytes(namespace, name);
        } catch (KubernetesClientException e) {
            if (Transient.is(e)) {
                throw e; // the API server is down or busy: the reconcile fails and is requeued, nothing is reported
            }
            throw new ArtifactException(ArtifactException.AUTHENTICATION_FAILED,
                    "failed to get secret '" + namespace + "/" + name + "': " + e.getMessage());
        }
    }
}

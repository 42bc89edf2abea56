package io.conflux.artifacts;

import io.conflux.model.meta.GoDuration;
import io.conflux.model.source.OCILayerSelector;
import io.conflux.model.source.OCIRepository;
import io.conflux.model.source.OCIRepositorySpec;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * An {@code OCIRepository} as source-controller reconciles it, in two halves: {@link #revision} (what the receiver
 * polls: the ref resolved to {@code <tag>@sha256:<manifest digest>}) and {@link #fetch} (what the renderer stores: the
 * layer chosen by {@code spec.layerSelector} of the manifest of that digest — immutable, so any replica fetches the
 * same bytes). Before either, {@link #unsupported} names the first Flux field Conflux does not act on. Blocking.
 */
public final class OciSources {
    /** Flux's default {@code spec.timeout}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private OciSources() {
    }

    /**
     * @param spec the spec
     * @return the refusal naming the first field Conflux does not act on ({@code spec.verify},
     *         {@code spec.serviceAccountName}, {@code spec.proxySecretRef}, a {@code spec.provider} other than
     *         {@code generic}, a {@code spec.layerSelector.operation} other than extract/copy), reason
     *         {@code NotSupported}; empty when every field set is supported
     */
    public static Optional<ArtifactException> unsupported(OCIRepositorySpec spec) {
        String why = null;
        if (spec.verify() != null) {
            why = "spec.verify: signature verification (cosign, notation) is not supported by Conflux";
        } else if (spec.provider() != null && !spec.provider().isBlank() && !"generic".equals(spec.provider())) {
            why = "spec.provider '" + spec.provider() + "': only 'generic' (spec.secretRef credentials) is supported by Conflux";
        } else if (spec.serviceAccountName() != null) {
            why = "spec.serviceAccountName: image pull secrets of a service account are not supported by Conflux; use spec.secretRef";
        } else if (spec.proxySecretRef() != null) {
            why = "spec.proxySecretRef: proxies are not supported by Conflux";
        } else {
            String op = spec.layerSelectorOrDefault().operationOrDefault();
            if (!OCILayerSelector.EXTRACT.equals(op) && !OCILayerSelector.COPY.equals(op)) {
                why = "spec.layerSelector.operation '" + op + "' is not one of extract, copy";
            }
        }
        return Optional.ofNullable(why).map(w -> new ArtifactException(ArtifactException.NOT_SUPPORTED, w));
    }

    /**
     * @param repo    the OCIRepository
     * @param secrets its namespace's Secrets
     * @return its current revision
     * @throws ArtifactException with Flux's reason ({@code URLInvalid}, {@code AuthenticationFailed},
     *                           {@code OCIArtifactPullFailed}, {@code NotSupported})
     */
    public static String revision(OCIRepository repo, SecretLookup secrets) {
        OCIRepositorySpec spec = spec(repo);
        OciUrl url = OciUrl.parse(spec.url());
        return OciRevisions.resolve(client(spec, url, secrets), url, spec.refOrDefault());
    }

    /**
     * @param repo     the OCIRepository
     * @param revision the revision to fetch (its digest is read, never the tag again)
     * @param secrets  its namespace's Secrets
     * @param maxBytes bound of the layer's size
     * @return the selected layer (a tar+gzip) and the manifest's annotations
     * @throws ArtifactException as {@link #revision}, and {@code OCIArtifactLayerOperationFailed} when no layer fits
     */
    public static FetchedArtifact fetch(OCIRepository repo, String revision, SecretLookup secrets, long maxBytes) {
        OCIRepositorySpec spec = spec(repo);
        OciUrl url = OciUrl.parse(spec.url());
        OciClient client = client(spec, url, secrets);
        String digest = OciRevisions.digestOf(revision);
        OciManifest manifest = client.manifest(url.repository(), digest);
        OciManifest.Layer layer = manifest.select(spec.layerSelectorOrDefault().mediaType(), url + "@" + digest);
        byte[] blob = client.blob(url.repository(), layer.digest(), maxBytes);
        return new FetchedArtifact(revision, artifact(spec, blob, url + "@" + digest, maxBytes), manifest.annotations());
    }

    /**
     * The artifact source-controller stores for a layer: with {@code operation: copy} the layer as it is; with
     * {@code extract} (default) the layer's files less those its root {@code .sourceignore} and {@code spec.ignore}
     * leave out, packed again ({@link Tarballs#pack}, reproducible).
     */
    private static byte[] artifact(OCIRepositorySpec spec, byte[] layer, String where, long maxBytes) {
        if (OCILayerSelector.COPY.equals(spec.layerSelectorOrDefault().operationOrDefault())) {
            return layer;
        }
        java.util.Map<String, byte[]> files = Tarballs.read(layer, maxBytes, where);
        byte[] ignoreFile = files.get(IgnoreRules.FILE);
        IgnoreRules ignore = IgnoreRules.of(ignoreFile == null ? null
                : new String(ignoreFile, java.nio.charset.StandardCharsets.UTF_8), spec.ignore());
        files.keySet().removeIf(ignore::ignored);
        return Tarballs.pack(files);
    }

    private static OCIRepositorySpec spec(OCIRepository repo) {
        OCIRepositorySpec spec = repo.getSpec();
        if (spec == null || spec.url() == null) {
            throw new ArtifactException(ArtifactException.URL_INVALID, "spec.url is empty");
        }
        unsupported(spec).ifPresent(e -> {
            throw e;
        });
        return spec;
    }

    private static OciClient client(OCIRepositorySpec spec, OciUrl url, SecretLookup secrets) {
        Optional<RegistryCredentials> credentials = spec.secretRef() == null || spec.secretRef().name() == null
                ? Optional.empty()
                : RegistryCredentials.fromSecret(spec.secretRef().name(),
                secrets.require(spec.secretRef().name(), "spec.secretRef"), url.host());
        SSLContext tls = spec.certSecretRef() == null || spec.certSecretRef().name() == null ? null
                : TlsTrust.context(TlsTrust.trustManagers(spec.certSecretRef().name(),
                secrets.require(spec.certSecretRef().name(), "spec.certSecretRef")));
        return new OciClient(url.host(), spec.plainHttp(), credentials, timeout(spec.timeout()), tls);
    }

    /** @return {@code spec.timeout} parsed, Flux's 60s when absent or unparsable */
    static Duration timeout(String timeout) {
        return GoDuration.parseOr(timeout, DEFAULT_TIMEOUT);
    }
}

package io.conflux.receiver.decide;

import io.conflux.git.GitAuthenticationException;
import io.conflux.git.GitCredentials;
import io.conflux.git.GitException;
import io.conflux.git.GitRepositoryUrl;
import io.conflux.git.GitTransfer;
import io.conflux.git.GitUrlException;
import io.conflux.git.RemoteRefs;
import io.conflux.git.GitUrlRewriter;
import io.conflux.model.meta.FluxReasons;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.GitRepositoryRef;
import io.conflux.model.source.GitRepositorySpec;
import io.conflux.model.source.Revision;
import io.conflux.service.SecretReader;
import io.conflux.service.Transient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Resolves what a GitRepository points at now, as Flux's source-controller would check out, with
 * {@code git ls-remote} only: the URL must be an http, https or ssh URL (Flux's CRD pattern, {@link GitRepositoryUrl};
 * a {@code file://} URL or a local path never reaches the disk), then it is rewritten by the operator's
 * {@code conflux.git.url-rewrites}, credentials come from
 * {@code spec.secretRef} (read through service-common's {@link SecretReader}; an API server outage is not a source
 * failure but a transient one, see {@link Transient}) (HTTPS {@code username}/{@code password} or {@code bearerToken}; SSH {@code identity},
 * {@code password} and {@code known_hosts}, host key checked strictly), the call is bounded by {@code spec.timeout}
 * (default {@code conflux.receiver.default-timeout}) and {@code conflux.git.max-fetch-size}, and the ref is chosen with Flux's
 * precedence {@code commit}, {@code name}, {@code semver}, {@code tag}, {@code branch} (default {@code master}).
 * Blocking (network, Kubernetes API).
 */
@ApplicationScoped
public class RevisionResolver {
    /** Flux's {@code sourcev1.AuthenticationFailedReason}: the credentials Secret cannot be read. */
    public static final String AUTHENTICATION_FAILED = "AuthenticationFailed";
    /** Flux's {@code sourcev1.URLInvalidReason}: {@code spec.url} is not one a GitRepository may name. */
    public static final String URL_INVALID = "URLInvalid";

    @Inject
    SecretReader secrets;
    @Inject
    GitConfig git;
    @Inject
    ReceiverConfig config;

    private GitUrlRewriter rewriter;

    @PostConstruct
    void init() {
        rewriter = new GitUrlRewriter(git.urlRewrites());
    }

    /**
     * @param repo the GitRepository
     * @return its current revision, e.g. {@code main@sha1:<hex>} or {@code v1.1.0@sha1:<hex>}
     * @throws SourceFailure with reason {@code URLInvalid} when {@code spec.url} is not an http, https or ssh URL (or
     *                       climbs out of an operator's rewrite), before anything is read;
     *                       {@code GitOperationFailed} when ls-remote fails (unreachable, refused key,
     *                       unknown or mismatched host key, bound exceeded) or the ref is missing,
     *                       {@code AuthenticationFailed} when the credentials Secret cannot be read or lacks what
     *                       the URL's transport needs (SSH: {@code identity}, {@code known_hosts})
     */
    public Revision resolve(GitRepository repo) {
        GitRepositorySpec spec = repo.getSpec();
        if (spec == null) {
            throw new SourceFailure(URL_INVALID, "spec.url is empty");
        }
        String remote;
        try {
            remote = rewriter.remote(spec.url());
        } catch (GitUrlException e) {
            throw new SourceFailure(URL_INVALID, e.getMessage());
        }
        GitCredentials credentials = credentials(repo);
        Duration timeout = Intervals.parse(spec.timeout(), config.defaultTimeout());
        GitRepositoryRef ref = spec.ref() == null ? GitRepositoryRef.DEFAULT : spec.ref();
        try {
            RemoteRefs refs = RemoteRefs.list(remote,
                    new GitTransfer(credentials, timeout, git.maxFetchSize().asLongValue()));
            return refs.current(ref);
        } catch (GitAuthenticationException e) {
            throw new SourceFailure(AUTHENTICATION_FAILED, e.getMessage());
        } catch (GitException | IllegalArgumentException e) {
            throw new SourceFailure(FluxReasons.GIT_OPERATION_FAILED, e.getMessage());
        }
    }

    private GitCredentials credentials(GitRepository repo) {
        var secretRef = repo.getSpec().secretRef();
        if (secretRef == null || secretRef.name() == null) {
            return GitCredentials.NONE;
        }
        String ns = repo.getMetadata().getNamespace();
        Optional<Map<String, byte[]>> data;
        try {
            data = secrets.secretBytes(ns, secretRef.name());
        } catch (KubernetesClientException e) {
            if (Transient.is(e)) {
                throw e; // the API server is down or busy: the reconcile fails and is requeued, nothing is reported
            }
            throw new SourceFailure(AUTHENTICATION_FAILED, "failed to get secret '" + ns + "/" + secretRef.name() + "': " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new SourceFailure(AUTHENTICATION_FAILED, e.getMessage());
        }
        if (data.isEmpty()) {
            throw new SourceFailure(AUTHENTICATION_FAILED, "failed to get secret '" + ns + "/" + secretRef.name() + "': not found");
        }
        return GitCredentials.fromSecretData(data.get());
    }

    /** Resolving failed; {@link #reason()} is the Flux condition reason. */
    public static class SourceFailure extends RuntimeException {
        private final String reason;

        /**
         * @param reason  Flux reason, e.g. {@code GitOperationFailed}
         * @param message the error, written to the {@code Ready} condition
         */
        public SourceFailure(String reason, String message) {
            super(message);
            this.reason = reason;
        }

        /** @return the Flux condition reason */
        public String reason() {
            return reason;
        }
    }
}

package io.conflux.artifacts;

import java.util.regex.Pattern;

/**
 * {@code OCIRepository.spec.url} parsed: {@code oci://<host>[:port]/<repository>}, as Flux's CRD requires
 * ({@code ^oci://.*$}) and go-containerregistry parses it (no tag or digest in the URL).
 *
 * @param host       {@code host[:port]}
 * @param repository the repository path, e.g. {@code manifests/podinfo}
 */
public record OciUrl(String host, String repository) {
    private static final Pattern REPOSITORY = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]+(?::[0-9]{1,5})?|\\[[0-9A-Fa-f:]+](?::[0-9]{1,5})?");

    /**
     * @param url the spec's URL
     * @return the parts
     * @throws ArtifactException reason {@code URLInvalid} naming {@code spec.url} when it is not such a URL
     */
    public static OciUrl parse(String url) {
        if (url == null || !url.startsWith("oci://")) {
            throw new ArtifactException(ArtifactException.URL_INVALID,
                    "spec.url '" + url + "' is not an OCI URL: it must start with oci://");
        }
        String rest = url.substring("oci://".length());
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1) {
            throw new ArtifactException(ArtifactException.URL_INVALID,
                    "spec.url '" + url + "' names no repository: oci://<host>/<repository>");
        }
        String host = rest.substring(0, slash);
        String repository = rest.substring(slash + 1);
        if (!HOST.matcher(host).matches() || !REPOSITORY.matcher(repository).matches()) {
            throw new ArtifactException(ArtifactException.URL_INVALID,
                    "spec.url '" + url + "' is not a valid OCI repository URL (a tag or digest goes in spec.ref)");
        }
        return new OciUrl(host, repository);
    }

    /** @return {@code oci://host/repository} */
    @Override
    public String toString() {
        return "oci://" + host + "/" + repository;
    }
}

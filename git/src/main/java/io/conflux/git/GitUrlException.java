package io.conflux.git;

/**
 * A GitRepository's {@code spec.url} is not one a tenant may name (Flux's {@code URLInvalid} reason): see
 * {@link GitRepositoryUrl}. Thrown before anything is read, from the network or from the disk.
 */
public class GitUrlException extends GitException {
    /** @param message what is wrong with the URL, naming {@code spec.url}; never a credential in the URL */
    public GitUrlException(String message) {
        super(message);
    }
}

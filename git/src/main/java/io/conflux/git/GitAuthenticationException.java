package io.conflux.git;

/**
 * The credentials of a GitRepository cannot be used as given (Flux's {@code AuthenticationFailed} reason): a required
 * key of the Secret is missing, or the SSH private key or known_hosts cannot be read. Failures of the remote itself
 * (refused key, unknown host key) stay plain {@link GitException}s, as Flux reports them as Git operation failures.
 */
public class GitAuthenticationException extends GitException {
    /** @param message what is wrong with the Secret, never its content */
    public GitAuthenticationException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong with the Secret, never its content
     * @param cause   the parser's error
     */
    public GitAuthenticationException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.conflux.git;

/** A Git operation failed: the message names the (rewritten) URL and the operation. */
public class GitException extends RuntimeException {
    public GitException(String message, Throwable cause) {
        super(message, cause);
    }

    public GitException(String message) {
        super(message);
    }
}

package io.conflux.sops;

/**
 * SOPS decryption failed. The message names what failed (the file or object is added by the caller that knows
 * it) and never contains a secret value.
 */
public class SopsException extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean keyProblem;

    /**
     * @param message    what went wrong
     * @param keyProblem whether the keys are at fault (no identity, none of them matches a recipient), so that the
     *                   same content may decrypt once the key Secret changes; false when the content itself is
     *                   malformed or was tampered with
     */
    public SopsException(String message, boolean keyProblem) {
        super(message);
        this.keyProblem = keyProblem;
    }

    /** A content problem (malformed document, tampered value, MAC mismatch). */
    public SopsException(String message) {
        this(message, false);
    }

    /** @return whether the keys, not the content, are at fault */
    public boolean keyProblem() {
        return keyProblem;
    }

    /** @return this failure with {@code context} (e.g. the file name) put in front of the message */
    public SopsException in(String context) {
        SopsException e = new SopsException(context + ": " + getMessage(), keyProblem);
        e.setStackTrace(getStackTrace());
        return e;
    }
}

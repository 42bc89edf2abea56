package io.conflux.cli.dlq;

/**
 * A {@code conflux dlq} failure told in one line (no such topic, Kafka unreachable, a send refused). The Kafka
 * exception behind it, if any, is kept as a suppressed exception rather than a cause, so the command line prints the
 * one line while {@code CONFLUX_DEBUG=1}'s stack trace still shows it.
 */
public final class DlqException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message the whole story, naming the topic or the Kafka address; never a record's value */
    public DlqException(String message) {
        super(message);
    }

    /**
     * @param message the whole story
     * @param behind  the failure behind it, attached as suppressed
     */
    public DlqException(String message, Throwable behind) {
        super(message);
        if (behind != null) {
            addSuppressed(behind);
        }
    }
}

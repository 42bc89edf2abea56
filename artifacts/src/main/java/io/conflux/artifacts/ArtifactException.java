package io.conflux.artifacts;

/**
 * Reading an OCIRepository's or Bucket's content failed; {@link #reason()} is the Flux condition reason
 * source-controller writes for it ({@code OCIArtifactPullFailed}, {@code OCILayerOperationFailed},
 * {@code BucketOperationFailed}, {@code AuthenticationFailed}, {@code URLInvalid}, {@code NotSupported}). The
 * message names the object's URL, field or key, never a credential.
 */
public class ArtifactException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Flux's {@code sourcev1.OCIPullFailedReason}. */
    public static final String OCI_PULL_FAILED = "OCIArtifactPullFailed";
    /** Flux's {@code sourcev1.OCILayerOperationFailedReason}. */
    public static final String OCI_LAYER_FAILED = "OCIArtifactLayerOperationFailed";
    /** Flux's {@code sourcev1.BucketOperationFailedReason}. */
    public static final String BUCKET_FAILED = "BucketOperationFailed";
    /** Flux's {@code sourcev1.AuthenticationFailedReason}. */
    public static final String AUTHENTICATION_FAILED = "AuthenticationFailed";
    /** Flux's {@code sourcev1.URLInvalidReason}. */
    public static final String URL_INVALID = "URLInvalid";
    /** Conflux's reason for a Flux field it does not act on. */
    public static final String NOT_SUPPORTED = "NotSupported";

    private final String reason;

    /**
     * @param reason  the Flux reason
     * @param message what failed, naming the URL, field or key
     */
    public ArtifactException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    /**
     * @param reason  the Flux reason
     * @param message what failed
     * @param cause   the underlying failure
     */
    public ArtifactException(String reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** @return the Flux condition reason */
    public String reason() {
        return reason;
    }
}

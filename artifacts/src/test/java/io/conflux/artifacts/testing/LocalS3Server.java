package io.conflux.artifacts.testing;

import java.net.URI;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.domain.Blob;

/**
 * <b>Test utility</b> (this module's test jar): a real S3-compatible server, S3Proxy over jclouds' transient (in-memory)
 * blob store, on an ephemeral port of 127.0.0.1 over plain HTTP, with AWS V2/V4 signatures checked against one
 * access key. Buckets and objects are written through the blob store directly ({@link #put}), so a test changes the
 * bucket the way an operator's upload would, and the code under test reads it through the S3 API.
 */
public final class LocalS3Server implements AutoCloseable {
    private final S3Proxy proxy;
    private final BlobStoreContext context;
    private final String accessKey;
    private final String secretKey;

    private LocalS3Server(S3Proxy proxy, BlobStoreContext context, String accessKey, String secretKey) {
        this.proxy = proxy;
        this.context = context;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
    }

    /**
     * Starts a server requiring signatures by {@code accessKey}/{@code secretKey}.
     *
     * @return the running server; {@link #close()} it
     * @throws IllegalStateException when it cannot start
     */
    public static LocalS3Server start(String accessKey, String secretKey) {
        Properties properties = new Properties();
        BlobStoreContext context = ContextBuilder.newBuilder("transient").overrides(properties)
                .build(BlobStoreContext.class);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                .build();
        try {
            proxy.start();
            while (!proxy.getState().equals("STARTED")) {
                Thread.sleep(10);
            }
        } catch (Exception e) {
            context.close();
            throw new IllegalStateException("S3Proxy did not start: " + e.getMessage(), e);
        }
        return new LocalS3Server(proxy, context, accessKey, secretKey);
    }

    /** @return {@code 127.0.0.1:<port>}, a Bucket's {@code spec.endpoint} (with {@code insecure: true}) */
    public String endpoint() {
        return "127.0.0.1:" + proxy.getPort();
    }

    /** @return the access key the server accepts ({@code accesskey} of a Bucket's Secret) */
    public String accessKey() {
        return accessKey;
    }

    /** @return the secret key the server accepts ({@code secretkey} of a Bucket's Secret) */
    public String secretKey() {
        return secretKey;
    }

    /** Creates {@code bucket} when it does not exist. */
    public void createBucket(String bucket) {
        context.getBlobStore().createContainerInLocation(null, bucket);
    }

    /** Writes (or replaces) object {@code key} of {@code bucket}. */
    public void put(String bucket, String key, byte[] content) {
        BlobStore store = context.getBlobStore();
        Blob blob = store.blobBuilder(key).payload(content).contentLength(content.length).build();
        store.putBlob(bucket, blob);
    }

    /** Deletes object {@code key} of {@code bucket}. */
    public void remove(String bucket, String key) {
        context.getBlobStore().removeBlob(bucket, key);
    }

    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("S3Proxy did not stop: " + e.getMessage(), e);
        } finally {
            context.close();
        }
    }
}

package io.conflux.artifacts.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * <b>Test utility</b> (this module's test jar): a real S3-compatible server, S3Proxy over jclouds' transient
 * (in-memory) blob store, on 127.0.0.1 over plain HTTP, checking AWS V2/V4 signatures against one access key.
 * {@link #start} runs it in the test's JVM; {@link #startProcess} in a child JVM on the artifacts module's test class
 * path ({@code artifacts/target/s3proxy.classpath}, written by its build), for Quarkus
 * tests, whose class loading keeps jclouds' Guice injector from starting in process. Buckets and objects are written
 * through the S3 API with the server's key ({@link #createBucket}, {@link #put}), as an operator's upload would be.
 */
public final class LocalS3Server implements AutoCloseable {
    private final S3Proxy proxy;
    private final BlobStoreContext context;
    private final Process process;
    private final int port;
    private final String accessKey;
    private final String secretKey;
    private final S3Client admin;

    private LocalS3Server(S3Proxy proxy, BlobStoreContext context, Process process, int port, String accessKey,
                          String secretKey) {
        this.proxy = proxy;
        this.context = context;
        this.process = process;
        this.port = port;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.admin = S3Client.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + port))
                .forcePathStyle(true)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    /**
     * Starts a server in this JVM requiring signatures by {@code accessKey}/{@code secretKey}.
     *
     * @return the running server; {@link #close()} it
     * @throws IllegalStateException when it cannot start
     */
    public static LocalS3Server start(String accessKey, String secretKey) {
        BlobStoreContext context = ContextBuilder.newBuilder("transient").build(BlobStoreContext.class);
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
        return new LocalS3Server(proxy, context, null, proxy.getPort(), accessKey, secretKey);
    }

    /**
     * Starts a server in a child JVM ({@code org.gaul.s3proxy.Main}, transient store; run from a module directory beside
     * {@code artifacts}), and
     * waits until it accepts connections (at most a minute).
     *
     * @return the running server; {@link #close()} it (the child is destroyed)
     * @throws IllegalStateException when it does not start
     */
    public static LocalS3Server startProcess(String accessKey, String secretKey) {
        int port = freePort();
        try {
            Path properties = Files.createTempFile("conflux-s3proxy", ".properties");
            Files.writeString(properties, String.join("\n",
                    "s3proxy.endpoint=http://127.0.0.1:" + port,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + accessKey,
                    "s3proxy.credential=" + secretKey,
                    "jclouds.provider=transient",
                    "jclouds.identity=conflux",
                    "jclouds.credential=conflux", ""));
            // the artifacts module's test class path, written by its build (maven-dependency-plugin build-classpath)
            Path written = Paths.get("..", "artifacts", "target", "s3proxy.classpath");
            if (!Files.isRegularFile(written)) {
                throw new IllegalStateException(written.toAbsolutePath() + " is missing: build the artifacts module (-am)");
            }
            String classPath = Files.readString(written).strip();
            Process process = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", classPath, "org.gaul.s3proxy.Main", "--properties", properties.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(Files.createTempFile("conflux-s3proxy", ".log").toFile())
                    .start();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!accepts(port)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new IllegalStateException("S3Proxy did not start on port " + port);
                }
                Thread.sleep(100);
            }
            return new LocalS3Server(null, null, process, port, accessKey, secretKey);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** @return {@code 127.0.0.1:<port>}, a Bucket's {@code spec.endpoint} (with {@code insecure: true}) */
    public String endpoint() {
        return "127.0.0.1:" + port;
    }

    /** @return the access key the server accepts ({@code accesskey} of a Bucket's Secret) */
    public String accessKey() {
        return accessKey;
    }

    /** @return the secret key the server accepts ({@code secretkey} of a Bucket's Secret) */
    public String secretKey() {
        return secretKey;
    }

    /** Creates {@code bucket}. */
    public void createBucket(String bucket) {
        admin.createBucket(b -> b.bucket(bucket));
    }

    /** Writes (or replaces) object {@code key} of {@code bucket}. */
    public void put(String bucket, String key, byte[] content) {
        admin.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(content));
    }

    /** Deletes object {@code key} of {@code bucket}. */
    public void remove(String bucket, String key) {
        admin.deleteObject(b -> b.bucket(bucket).key(key));
    }

    @Override
    public void close() {
        admin.close();
        if (process != null) {
            process.destroy();
            return;
        }
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("S3Proxy did not stop: " + e.getMessage(), e);
        } finally {
            context.close();
        }
    }
}

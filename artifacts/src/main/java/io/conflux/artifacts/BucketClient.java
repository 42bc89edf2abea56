package io.conflux.artifacts;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.TrustManager;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadBucketRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A client of one S3-compatible bucket, as a {@code Bucket} with provider {@code generic} (or {@code aws} with
 * static keys) reads it in source-controller ({@code internal/bucket/minio}): endpoint {@code host[:port]} over HTTPS
 * (HTTP with {@code spec.insecure}), path-style addressing, static keys {@code accesskey}/{@code secretkey} or
 * anonymous, {@code spec.region} (default {@code us-east-1}), the CA of {@code spec.certSecretRef}. On the AWS SDK for
 * Java v2 with its URL-connection HTTP client. Blocking; calls bounded by the timeout. Closing releases the client.
 */
public final class BucketClient implements AutoCloseable {
    private final S3Client s3;
    private final String bucket;
    private final String where;

    /**
     * @param endpoint    {@code spec.endpoint}, {@code host[:port]} (a scheme is refused by Flux's docs; tolerated here
     *                    when it matches {@code insecure})
     * @param plainHttp   {@code spec.insecure}
     * @param region      {@code spec.region}, or null
     * @param bucket      {@code spec.bucketName}
     * @param keys        access key and secret key, or empty for anonymous access
     * @param trust       trust managers of {@code spec.certSecretRef}, or null for the JDK's
     * @param timeout     bound of each call ({@code spec.timeout})
     * @throws ArtifactException {@code URLInvalid} naming {@code spec.endpoint} when it is not a host[:port]
     */
    public BucketClient(String endpoint, boolean plainHttp, String region, String bucket,
                        Optional<Map.Entry<String, String>> keys, TrustManager[] trust, Duration timeout) {
        URI uri = endpointUri(endpoint, plainHttp);
        AwsCredentialsProvider credentials = keys.<AwsCredentialsProvider>map(k ->
                        StaticCredentialsProvider.create(AwsBasicCredentials.create(k.getKey(), k.getValue())))
                .orElse(AnonymousCredentialsProvider.create());
        UrlConnectionHttpClient.Builder http = UrlConnectionHttpClient.builder()
                .connectionTimeout(timeout).socketTimeout(timeout);
        if (trust != null) {
            http.tlsTrustManagersProvider(() -> trust);
        }
        this.s3 = S3Client.builder()
                .endpointOverride(uri)
                .forcePathStyle(true)
                .region(Region.of(region == null || region.isBlank() ? "us-east-1" : region))
                .credentialsProvider(credentials)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClient(http.build())
                .overrideConfiguration(c -> c.apiCallTimeout(timeout))
                .build();
        this.bucket = bucket;
        this.where = "bucket '" + bucket + "' at " + uri;
    }

    private static URI endpointUri(String endpoint, boolean plainHttp) {
        if (endpoint == null || endpoint.isBlank()) {
            throw new ArtifactException(ArtifactException.URL_INVALID, "spec.endpoint is empty");
        }
        String e = endpoint;
        if (e.startsWith("http://") || e.startsWith("https://")) {
            e = e.substring(e.indexOf("://") + 3);
        }
        if (!e.matches("[A-Za-z0-9.-]+(:[0-9]{1,5})?/?")) {
            throw new ArtifactException(ArtifactException.URL_INVALID,
                    "spec.endpoint '" + endpoint + "' is not a host[:port]");
        }
        return URI.create((plainHttp ? "http://" : "https://") + e.replaceAll("/$", ""));
    }

    /**
     * Lists the objects under {@code prefix} (all pages), as source-controller's {@code VisitObjects}: keys ending in
     * {@code /} (folder markers) are left out; etags lose their quotes.
     *
     * @param prefix {@code spec.prefix}, or null
     * @return key → etag, in listing order
     * @throws ArtifactException {@code BucketOperationFailed} naming the bucket when it does not exist or listing
     *                           fails; {@code AuthenticationFailed} when access is denied
     */
    public Map<String, String> list(String prefix) {
        try {
            s3.headBucket(HeadBucketRequest.builder().bucket(bucket).build());
        } catch (NoSuchBucketException e) {
            throw new ArtifactException(ArtifactException.BUCKET_FAILED, "bucket '" + bucket + "' not found");
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new ArtifactException(ArtifactException.BUCKET_FAILED, "bucket '" + bucket + "' not found");
            }
            throw failure("failed to confirm existence of " + where, e);
        } catch (SdkException e) {
            throw failure("failed to confirm existence of " + where, e);
        }
        Map<String, String> index = new LinkedHashMap<>();
        try {
            ListObjectsV2Request.Builder request = ListObjectsV2Request.builder().bucket(bucket);
            if (prefix != null && !prefix.isEmpty()) {
                request.prefix(prefix);
            }
            for (S3Object o : s3.listObjectsV2Paginator(request.build()).contents()) {
                if (!o.key().endsWith("/")) {
                    index.put(o.key(), unquote(o.eTag()));
                }
            }
        } catch (SdkException e) {
            throw failure("indexation of objects from " + where + " failed", e);
        }
        return index;
    }

    /**
     * @param key an object key
     * @return the object's content and etag; empty when it does not exist (any more)
     * @throws ArtifactException {@code BucketOperationFailed} when it cannot be read
     */
    public Optional<Map.Entry<String, byte[]>> get(String key) {
        try {
            ResponseBytes<GetObjectResponse> bytes = s3.getObjectAsBytes(GetObjectRequest.builder().bucket(bucket).key(key).build());
            return Optional.of(Map.entry(unquote(bytes.response().eTag()), bytes.asByteArray()));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw failure("failed to get '" + key + "' object from " + where, e);
        } catch (SdkException e) {
            throw failure("failed to get '" + key + "' object from " + where, e);
        }
    }

    private static ArtifactException failure(String what, SdkException e) {
        boolean denied = e instanceof S3Exception s && (s.statusCode() == 401 || s.statusCode() == 403);
        String detail = e instanceof S3Exception s && s.awsErrorDetails() != null
                ? s.awsErrorDetails().errorCode() + " (HTTP " + s.statusCode() + ")" : e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage());
        return new ArtifactException(denied ? ArtifactException.AUTHENTICATION_FAILED : ArtifactException.BUCKET_FAILED,
                what + ": " + detail, e);
    }

    private static String unquote(String etag) {
        if (etag == null) {
            return "";
        }
        return etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"") ? etag.substring(1, etag.length() - 1) : etag;
    }

    @Override
    public void close() {
        s3.close();
    }
}

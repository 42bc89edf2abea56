package io.conflux.artifacts;

import io.conflux.model.source.Bucket;
import io.conflux.model.source.BucketSpec;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.TrustManager;

/**
 * A {@code Bucket} as source-controller reconciles it ({@code fetchEtagIndex}, {@code fetchIndexFiles}): the index of
 * the objects under {@code spec.prefix} (folder markers, the {@code .sourceignore} object and ignored keys left out) →
 * revision {@code sha256:<index digest>} ({@link #revision}, what the receiver polls); {@link #fetch} downloads the
 * indexed objects, updates the index with the etags actually read (an object gone meanwhile leaves it) and packs them
 * as a tar+gzip whose revision is the index read — objects are mutable, so the renderer stores exactly that.
 * Providers: {@code generic} and {@code aws} with static keys; {@link #unsupported} names the rest. Blocking.
 */
public final class BucketSources {
    private BucketSources() {
    }

    /**
     * @param spec the spec
     * @return the refusal naming the first field Conflux does not act on ({@code spec.provider} gcp/azure,
     *         {@code spec.sts}, {@code spec.serviceAccountName}, {@code spec.proxySecretRef}), reason
     *         {@code NotSupported}; {@code spec.provider: aws} without {@code spec.secretRef} too (IAM roles are not
     *         supported); empty when supported
     */
    public static Optional<ArtifactException> unsupported(BucketSpec spec) {
        String provider = spec.providerOrDefault();
        String why = null;
        if (!"generic".equals(provider) && !"aws".equals(provider)) {
            why = "spec.provider '" + provider + "': only 'generic' and 'aws' with static keys are supported by Conflux";
        } else if ("aws".equals(provider) && spec.secretRef() == null) {
            why = "spec.provider 'aws' without spec.secretRef: IAM/IRSA credentials are not supported by Conflux; give static keys";
        } else if (spec.sts() != null) {
            why = "spec.sts: security token services are not supported by Conflux";
        } else if (spec.serviceAccountName() != null) {
            why = "spec.serviceAccountName: workload identity is not supported by Conflux; use spec.secretRef";
        } else if (spec.proxySecretRef() != null) {
            why = "spec.proxySecretRef: proxies are not supported by Conflux";
        }
        return Optional.ofNullable(why).map(w -> new ArtifactException(ArtifactException.NOT_SUPPORTED, w));
    }

    /**
     * @param bucket  the Bucket
     * @param secrets its namespace's Secrets
     * @return the index of its objects now
     * @throws ArtifactException {@code BucketOperationFailed}, {@code AuthenticationFailed}, {@code URLInvalid},
     *                           {@code NotSupported}
     */
    public static BucketIndex index(Bucket bucket, SecretLookup secrets) {
        BucketSpec spec = spec(bucket);
        try (BucketClient client = client(spec, secrets)) {
            return index(client, spec);
        }
    }

    /** @return {@code sha256:<hex>} of {@link #index}, the Bucket's revision */
    public static String revision(Bucket bucket, SecretLookup secrets) {
        return index(bucket, secrets).revision();
    }

    /**
     * @param bucket   the Bucket
     * @param secrets  its namespace's Secrets
     * @param maxBytes bound of the objects' total size
     * @return the objects packed, with the revision of the index as read
     * @throws ArtifactException as {@link #index}, and {@code BucketOperationFailed} past the bound
     */
    public static FetchedArtifact fetch(Bucket bucket, SecretLookup secrets, long maxBytes) {
        BucketSpec spec = spec(bucket);
        try (BucketClient client = client(spec, secrets)) {
            BucketIndex listed = index(client, spec);
            Map<String, String> read = new LinkedHashMap<>();
            Map<String, byte[]> files = new LinkedHashMap<>();
            long total = 0;
            for (String key : listed.entries().keySet()) {
                Optional<Map.Entry<String, byte[]>> object = client.get(key);
                if (object.isEmpty()) {
                    continue; // gone since the listing, as Flux drops it from the index
                }
                total += object.get().getValue().length;
                if (total > maxBytes) {
                    throw new ArtifactException(ArtifactException.BUCKET_FAILED, "objects of bucket '"
                            + spec.bucketName() + "' are larger than " + maxBytes + " bytes");
                }
                read.put(key, object.get().getKey());
                files.put(key, object.get().getValue());
            }
            return new FetchedArtifact(BucketIndex.of(read).revision(), Tarballs.pack(files), Map.of());
        }
    }

    private static BucketIndex index(BucketClient client, BucketSpec spec) {
        String sourceignore = client.get(IgnoreRules.FILE)
                .map(o -> new String(o.getValue(), StandardCharsets.UTF_8)).orElse(null);
        IgnoreRules ignore = IgnoreRules.of(sourceignore, spec.ignore());
        Map<String, String> entries = new LinkedHashMap<>();
        client.list(spec.prefix()).forEach((key, etag) -> {
            if (!key.equals(IgnoreRules.FILE) && !ignore.ignored(key)) {
                entries.put(key, etag);
            }
        });
        return BucketIndex.of(entries);
    }

    private static BucketSpec spec(Bucket bucket) {
        BucketSpec spec = bucket.getSpec();
        if (spec == null || spec.bucketName() == null || spec.bucketName().isBlank()) {
            throw new ArtifactException(ArtifactException.BUCKET_FAILED, "spec.bucketName is empty");
        }
        unsupported(spec).ifPresent(e -> {
            throw e;
        });
        return spec;
    }

    private static BucketClient client(BucketSpec spec, SecretLookup secrets) {
        Optional<Map.Entry<String, String>> keys = Optional.empty();
        if (spec.secretRef() != null && spec.secretRef().name() != null) {
            String name = spec.secretRef().name();
            Map<String, byte[]> data = secrets.require(name, "spec.secretRef");
            byte[] access = data.get("accesskey");
            byte[] secret = data.get("secretkey");
            if (access == null || secret == null) {
                throw new ArtifactException(ArtifactException.AUTHENTICATION_FAILED,
                        "secret '" + name + "' (spec.secretRef) must have 'accesskey' and 'secretkey'");
            }
            keys = Optional.of(Map.entry(new String(access, StandardCharsets.UTF_8), new String(secret, StandardCharsets.UTF_8)));
        }
        TrustManager[] trust = spec.certSecretRef() == null || spec.certSecretRef().name() == null ? null
                : TlsTrust.trustManagers(spec.certSecretRef().name(),
                secrets.require(spec.certSecretRef().name(), "spec.certSecretRef"));
        return new BucketClient(spec.endpoint(), spec.plainHttp(), spec.region(), spec.bucketName(), keys, trust,
                OciSources.timeout(spec.timeout()));
    }

    /** @return the Bucket's URL as Flux writes {@code status.url}'s base: {@code http(s)://<endpoint>/<bucketName>} */
    public static String url(BucketSpec spec) {
        return (spec.plainHttp() ? "http://" : "https://") + spec.endpoint() + "/" + spec.bucketName();
    }
}

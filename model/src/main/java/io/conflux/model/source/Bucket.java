package io.conflux.model.source;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Flux's {@code Bucket} ({@code source.toolkit.fluxcd.io/v1}; {@code v1beta2} served too): the objects of an S3
 * compatible bucket (under {@code spec.prefix}) as an artifact. Follows source-controller's
 * {@code docs/spec/v1/buckets.md}; its revision is {@code sha256:<hex>} of the index of object keys and etags.
 */
@Group(GitRepository.GROUP)
@Version(Bucket.VERSION)
@Kind(Bucket.KIND)
@Plural("buckets")
public class Bucket extends CustomResource<BucketSpec, BucketStatus> implements Namespaced {
    /** The storage version Conflux reads and writes status at. */
    public static final String VERSION = "v1";
    /** The kind, as in {@code sourceRef.kind} and in record keys {@code Bucket/<ns>/<name>}. */
    public static final String KIND = "Bucket";
}

package io.conflux.renderer.render;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A rendered bundle: the JSON array of objects a Kustomization should make exist, content-addressed.
 *
 * @param digest      {@code sha256:<64 hex>} of {@code content}'s UTF-8 bytes ({@link #of}), or of a HelmRelease's
 *                    inputs ({@link #ofRelease})
 * @param content     a JSON array of Kubernetes objects, in apply order as kustomize printed them
 * @param objectCount number of objects in the array
 */
public record Bundle(String digest, String content, int objectCount) {

    /** @return a bundle for {@code content}, digesting it */
    public static Bundle of(String content, int objectCount) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8));
            return new Bundle("sha256:" + HexFormat.of().formatHex(hash), content, objectCount);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A HelmRelease's bundle, addressed by the digest of the release's inputs rather than of its rendered text: a
     * chart's templates may draw random values ({@code randAlphaNum} in podinfo's test hook names), so two renders of
     * the same chart version with the same values differ, where helm-controller counts the release in sync and
     * upgrades nothing (its release state compares the chart version and the values' digest, not a new render). The
     * applier upgrades a release only when its bundle digest (or the object's generation) changes, so the digest must
     * follow the inputs. The bundle store keeps the first content stored under a digest, so the applied content stays
     * what drift detection compares with.
     *
     * @param releaseDigest {@code sha256:<hex>} of the release's inputs: chart name and version, the artifact digest,
     *                      the values' digest, release name and namespace, the spec
     */
    public static Bundle ofRelease(String releaseDigest, String content, int objectCount) {
        return new Bundle(releaseDigest, content, objectCount);
    }
}

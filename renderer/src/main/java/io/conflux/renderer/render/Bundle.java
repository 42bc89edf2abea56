package io.conflux.renderer.render;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A rendered bundle: the JSON array of objects a Kustomization should make exist, content-addressed.
 *
 * @param digest      {@code sha256:<64 hex>} of {@code content}'s UTF-8 bytes
 * @param content     a JSON array of Kubernetes objects, in apply order as kustomize printed them
 * @param objectCount number of objects in the array
 */
public record Bundle(String digest, String content, int objectCount) {

    /** @return a bundle for {@code content}, digesting it */
    public static Bundle of(String content, int objectCount) {
        return new Bundle(sha256(content), content, objectCount);
    }

    /**
     * A HelmRelease's bundle, addressed by the release's inputs rather than by its rendered text: a chart's templates
     * may draw random values ({@code randAlphaNum} in podinfo's test hook names), so two renders of the same chart
     * version with the same values differ, where helm-controller counts the release in sync and upgrades nothing
     * (its release state compares the chart version and the values' digest, not a new render). The applier upgrades a
     * release only when its bundle digest (or the object's generation) changes, so the digest must follow the inputs.
     * The bundle store keeps the first content stored under a digest, so the applied content stays what drift
     * detection compares with.
     *
     * @param releaseInputs a canonical text of everything a new release depends on: chart name and version, the
     *                      artifact digest, the values' digest, release name and namespace, the spec
     */
    public static Bundle ofRelease(String releaseInputs, String content, int objectCount) {
        return new Bundle(sha256(releaseInputs), content, objectCount);
    }

    private static String sha256(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

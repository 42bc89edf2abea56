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
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8));
            return new Bundle("sha256:" + HexFormat.of().formatHex(hash), content, objectCount);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.conflux.helm;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The Helm release name Flux's helm-controller gives a {@code HelmRelease}. */
public final class ReleaseNames {

  /** Helm's longest release name. */
  public static final int MAX_LENGTH = 53;

  private ReleaseNames() {
  }

  /**
   * {@code spec.releaseName} when set; otherwise {@code [<targetNamespace>-]<name>}, and when that is longer
   * than 53 characters, its first 40 characters, a dash and the first 12 hex digits of its SHA-256
   * (helm-controller's {@code release.ShortenName}).
   *
   * @param name the HelmRelease's {@code metadata.name}
   * @param targetNamespace {@code spec.targetNamespace}, or null/empty
   * @param releaseName {@code spec.releaseName}, or null/empty
   * @return the release name
   */
  public static String of(String name, String targetNamespace, String releaseName) {
    if (releaseName != null && !releaseName.isEmpty()) {
      return releaseName;
    }
    String composed = targetNamespace == null || targetNamespace.isEmpty() ? name : targetNamespace + "-" + name;
    if (composed.length() <= MAX_LENGTH) {
      return composed;
    }
    try {
      byte[] sum = MessageDigest.getInstance("SHA-256").digest(composed.getBytes(StandardCharsets.UTF_8));
      return composed.substring(0, 40) + "-" + HexFormat.of().formatHex(sum).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

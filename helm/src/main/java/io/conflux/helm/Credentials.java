package io.conflux.helm;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * HTTP basic-auth credentials of a chart repository, as Flux reads them from the {@code username} and
 * {@code password} keys of the Secret named by a {@code HelmRepository}'s {@code spec.secretRef}.
 *
 * @param username the user name, not null
 * @param password the password or token, not null
 */
public record Credentials(String username, String password) {

  /**
   * Rejects null parts.
   *
   * @param username the user name
   * @param password the password or token
   */
  public Credentials {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
  }

  /**
   * @return the value of an {@code Authorization} header for these credentials ({@code Basic base64(user:password)})
   */
  public String basicAuthorization() {
    return "Basic " + Base64.getEncoder()
        .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** Keeps the password out of logs. */
  @Override
  public String toString() {
    return "Credentials[username=" + username + ", password=***]";
  }
}

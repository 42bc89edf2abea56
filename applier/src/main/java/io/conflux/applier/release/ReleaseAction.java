package io.conflux.applier.release;

import java.util.Locale;

/**
 * What applying a HelmRelease's bundle is, in helm-controller's terms: an install when nothing of the release has
 * been applied successfully yet, an upgrade otherwise ({@code status.lastAttemptedReleaseAction}).
 */
public enum ReleaseAction {
    INSTALL, UPGRADE;

    /** @return {@code install} or {@code upgrade} */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return {@code Install} or {@code Upgrade}, the prefix of helm-controller's reasons */
    public String capitalized() {
        return this == INSTALL ? "Install" : "Upgrade";
    }
}

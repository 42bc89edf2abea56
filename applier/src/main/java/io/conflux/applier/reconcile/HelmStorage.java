package io.conflux.applier.reconcile;

import io.conflux.applier.release.HookRunner;
import io.conflux.applier.release.ReleaseAction;
import io.conflux.applier.release.ReleaseHooks;
import io.conflux.applier.release.ReleaseOutcome;
import io.conflux.applier.release.ReleaseRecords;
import io.conflux.applier.release.ReleaseSnapshots;
import io.conflux.model.helm.HelmRelease;
import io.conflux.model.helm.HelmReleaseSpec;
import io.conflux.model.helm.ReleaseBundle;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Writes a HelmRelease's release records in Helm's storage ({@link ReleaseRecords}) after an install or upgrade: the
 * release name and namespace as helm-controller names them, {@code spec.storageNamespace} (default the HelmRelease's
 * namespace), {@code spec.maxHistory} (default {@value ReleaseRecords#DEFAULT_MAX_HISTORY}; 0 keeps every record).
 * The records are a view for the helm CLI, not Conflux's state (that is in PostgreSQL): a record that cannot be written
 * (e.g. the service account may not write Secrets in the storage namespace) is logged as a warning naming the release
 * and the API server's refusal, and does not fail the release. The records written are read back into
 * {@code status.history} as helm-controller keeps it ({@link ReleaseSnapshots#merge}: the previous history with the
 * snapshots of the records replacing theirs, an install starting anew, an uninstall marking the latest
 * {@code uninstalled}), cut as helm-controller cuts it: the tests of the action's remediation
 * ({@code ignoreTestFailures}, else {@code test.ignoreFailures}) decide whether a snapshot with failed tests may be the
 * previous release.
 */
final class HelmStorage {
    private static final Logger LOG = Logger.getLogger(HelmStorage.class);

    private HelmStorage() {
    }

    /**
     * @param target   the release's target cluster
     * @param r        the HelmRelease
     * @param outcome  what the install or upgrade came to
     * @param bundle   the bundle released
     * @param lastGood the bundle rolled back to, or null
     * @param hooks    the hook runs of the attempt
     * @param previous the HelmRelease's {@code status.history} before the attempt, newest first (empty when none)
     * @return the new {@code status.history}, or null when the records could not be written or read (the status then
     *         keeps its history)
     */
    static List<Map<String, Object>> record(KubernetesClient target, Reconcilable.OfHelmRelease r, ReleaseOutcome outcome,
                                            ReleaseBundle bundle, ReleaseBundle lastGood, List<HookRunner.Result> hooks,
                                            List<Map<String, Object>> previous) {
        HelmReleaseSpec spec = r.object().getSpec();
        String[] release = r.releaseName().split("/", 2);
        String storage = spec.storageNamespace() == null || spec.storageNamespace().isEmpty()
                ? r.key().namespace() : spec.storageNamespace();
        int maxHistory = spec.maxHistory() == null ? ReleaseRecords.DEFAULT_MAX_HISTORY : spec.maxHistory();
        try {
            ReleaseRecords records = new ReleaseRecords(target);
            ReleaseRecords.Target where = new ReleaseRecords.Target(release[1], release[0], storage, maxHistory);
            List<Map<String, Object>> purged = outcome.uninstalled() ? records.decoded(where) : null;
            records.record(where, outcome, bundle, lastGood, hooks);
            List<Map<String, Object>> current = purged != null
                    ? ReleaseSnapshots.uninstalled(purged, Instant.now()) : records.decoded(where);
            ReleaseHooks.Settings settings = ReleaseHooks.Settings.of(spec);
            boolean install = outcome.action() == ReleaseAction.INSTALL;
            return ReleaseSnapshots.merge(current, install ? List.of() : previous, release[1], release[0],
                    install ? settings.ignoreInstallTests() : settings.ignoreUpgradeTests());
        } catch (KubernetesClientException | UncheckedIOException e) {
            LOG.warnf("%s: Helm release records of %s not written in namespace %s: %s", r.key(), r.releaseName(),
                    storage, e.getMessage());
            return null;
        }
    }

    /**
     * @param management the management cluster
     * @param r          the HelmRelease
     * @return its {@code status.history} as the API server has it now (the typed object carries none), newest first;
     *         empty when it has none or it cannot be read (logged)
     */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> history(KubernetesClient management, Reconcilable.OfHelmRelease r) {
        try {
            GenericKubernetesResource live = management.genericKubernetesResources(
                            HelmRelease.GROUP + "/" + r.object().getVersion(), HelmRelease.KIND)
                    .inNamespace(r.key().namespace()).withName(r.key().name()).get();
            if (live != null && live.getAdditionalProperties().get("status") instanceof Map<?, ?> status
                    && status.get("history") instanceof List<?> history) {
                List<Map<String, Object>> out = new java.util.ArrayList<>();
                for (Object snapshot : history) {
                    if (snapshot instanceof Map<?, ?> m) {
                        out.add((Map<String, Object>) m);
                    }
                }
                return out;
            }
        } catch (KubernetesClientException e) {
            LOG.warnf("%s: status.history not read, the history restarts from the release records: %s", r.key(),
                    e.getMessage());
        }
        return List.of();
    }

    /**
     * Deletes every release record of {@code r}'s release (helm-controller's uninstall without {@code keepHistory});
     * a refusal is logged as a warning naming the release, as a record that cannot be written is.
     *
     * @param target the release's target cluster
     * @param r      the HelmRelease
     */
    static void forget(KubernetesClient target, Reconcilable.OfHelmRelease r) {
        HelmReleaseSpec spec = r.object().getSpec();
        String[] release = r.releaseName().split("/", 2);
        String storage = spec.storageNamespace() == null || spec.storageNamespace().isEmpty()
                ? r.key().namespace() : spec.storageNamespace();
        try {
            new ReleaseRecords(target).forget(new ReleaseRecords.Target(release[1], release[0], storage, 0));
        } catch (KubernetesClientException e) {
            LOG.warnf("%s: Helm release records of %s not deleted in namespace %s: %s", r.key(), r.releaseName(),
                    storage, e.getMessage());
        }
    }
}

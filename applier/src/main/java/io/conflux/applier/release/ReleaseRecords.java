package io.conflux.applier.release;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.model.helm.ReleaseBundle;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;

/**
 * A HelmRelease's release records in Helm's storage format, so that {@code helm list}, {@code helm history},
 * {@code helm get values|manifest|hooks} show Conflux's releases as they show helm-controller's: one Secret per
 * revision, {@code sh.helm.release.v1.<release>.v<N>} of type {@code helm.sh/release.v1} in the storage namespace,
 * labels {@code name}, {@code owner=helm}, {@code status}, {@code version}, {@code createdAt} (Unix seconds), and
 * {@code data.release} = base64(gzip(JSON of Helm's {@code release.v1.Release})) as {@code pkg/storage/driver/secrets.go}
 * and {@code util.go} write them (the API's own base64 of Secret data comes on top). The JSON holds {@code name},
 * {@code info} ({@code status}, {@code first_deployed}, {@code last_deployed}, {@code description}), {@code chart}
 * ({@code metadata}, {@code values}; no template files), {@code config}, {@code manifest} (the applied objects as YAML
 * documents), {@code hooks} (with their {@code last_run}), {@code version}, {@code namespace},
 * {@code apply_method: ssa}.
 *
 * <p>As Helm's actions: a release writes revision N+1 {@code deployed} (the earlier {@code deployed} one becomes
 * {@code superseded}) or {@code failed}; a rollback writes one more revision {@code deployed} with the chart and values
 * of the release rolled back to ("Rollback to N"); an uninstall deletes every record of the release (helm-controller's
 * default, no {@code keepHistory}). Before an upgrade's or a rollback's record is written, the oldest records are deleted
 * so that {@code maxHistory} remain with it, never the latest deployed one (Helm's {@code storage.Create} with
 * {@code MaxHistory}, {@code removeLeastRecent}; an install does not trim, as helm-controller sets {@code MaxHistory}
 * only on upgrade and rollback); 0 keeps all. Blocking.
 */
public final class ReleaseRecords {
    /** The Secret type of Helm 3/4 release records. */
    public static final String TYPE = "helm.sh/release.v1";
    /** helm-controller's default {@code spec.maxHistory}. */
    public static final int DEFAULT_MAX_HISTORY = 5;
    /**
     * Conflux's one field in a record beside Helm's: the OCIRepository artifact digest the chart came from
     * ({@code spec.chartRef}), for {@code status.history[].ociDigest}; absent for other sources. Helm ignores
     * fields it does not know when it reads a record.
     */
    public static final String OCI_DIGEST = "conflux_oci_digest";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient client;

    /** @param client the release's target cluster */
    public ReleaseRecords(KubernetesClient client) {
        this.client = client;
    }

    /**
     * Where and what to record.
     *
     * @param name             the Helm release name
     * @param namespace        the release namespace
     * @param storageNamespace where the Secrets go ({@code spec.storageNamespace}, else the HelmRelease's namespace)
     * @param maxHistory       how many records are kept (0: all)
     */
    public record Target(String name, String namespace, String storageNamespace, int maxHistory) {
    }

    /**
     * Records what an install or upgrade (and its remediation) came to.
     *
     * @param target   the release
     * @param outcome  the outcome
     * @param bundle   the bundle released (its objects are the manifest)
     * @param lastGood the bundle rolled back to, null when none
     * @param hooks    the hook runs of the attempt, tests included
     * @return the revision written last, 0 when the records were deleted (uninstall)
     */
    public int record(Target target, ReleaseOutcome outcome, ReleaseBundle bundle, ReleaseBundle lastGood,
                      List<HookRunner.Result> hooks) {
        if (outcome.uninstalled()) {
            for (Secret s : records(target)) {
                client.secrets().inNamespace(target.storageNamespace()).resource(s).delete();
            }
            return 0;
        }
        List<Secret> existing = records(target);
        int version = existing.stream().mapToInt(ReleaseRecords::version).max().orElse(0) + 1;
        String firstDeployed = firstDeployed(existing);
        String now = Instant.now().toString();
        String action = outcome.action() == ReleaseAction.INSTALL ? "Install" : "Upgrade";
        String status = outcome.released() ? "deployed" : "failed";
        String description = outcome.released() ? action + " complete"
                : action + " \"" + target.name() + "\" failed: " + outcome.attempt().error();
        int previouslyDeployed = existing.stream().filter(s -> "deployed".equals(s.getMetadata().getLabels().get("status")))
                .mapToInt(ReleaseRecords::version).max().orElse(version - 1);
        if (outcome.action() != ReleaseAction.INSTALL) {
            makeRoom(target); // Helm's upgrade: storage.Create trims with the storage's MaxHistory; install does not
        }
        if (outcome.released()) {
            supersede(target, records(target));
        }
        write(target, version, status, description, firstDeployed == null ? now : firstDeployed, now, bundle, hooks);
        if (outcome.remediation() != null && HelmReasons.ROLLBACK_SUCCEEDED.equals(outcome.remediationReason())
                && lastGood != null) {
            makeRoom(target); // Helm's rollback creates its record the same way
            supersede(target, records(target));
            write(target, version + 1, "deployed", "Rollback to " + previouslyDeployed,
                    firstDeployed == null ? now : firstDeployed, Instant.now().toString(), lastGood, hooks);
            version++;
        }
        return version;
    }

    /**
     * Deletes every record of the release (an uninstall without {@code keepHistory}).
     *
     * @param target the release
     */
    public void forget(Target target) {
        for (Secret s : records(target)) {
            client.secrets().inNamespace(target.storageNamespace()).resource(s).delete();
        }
    }

    /**
     * @param target      the release
     * @param ignoreTests whether snapshots whose tests failed count as the previous release (helm-controller's
     *                    {@code test.ignoreFailures}, or the last action's {@code remediation.ignoreTestFailures})
     * @return {@code status.history} made of its records and cut as helm-controller cuts it
     *         ({@link ReleaseSnapshots#of}), newest first; records that do not decode are left out
     */
    public List<Map<String, Object>> snapshots(Target target, boolean ignoreTests) {
        return ReleaseSnapshots.of(decoded(target), ignoreTests);
    }

    /**
     * @param target the release
     * @return its records decoded ({@link #decode}), oldest first; records that do not decode are left out
     */
    public List<Map<String, Object>> decoded(Target target) {
        List<Map<String, Object>> decoded = new ArrayList<>();
        for (Secret s : records(target)) {
            try {
                decoded.add(decode(s));
            } catch (UncheckedIOException ignored) {
                // a record someone else wrote badly is not part of the release's history
            }
        }
        return decoded;
    }

    /**
     * @param target the release
     * @return its record Secrets, oldest first
     */
    public List<Secret> records(Target target) {
        List<Secret> out = new ArrayList<>(client.secrets().inNamespace(target.storageNamespace())
                .withLabel("owner", "helm").withLabel("name", target.name()).list().getItems());
        out.removeIf(s -> !TYPE.equals(s.getType()));
        out.sort(Comparator.comparingInt(ReleaseRecords::version));
        return out;
    }

    /**
     * @param secret a record Secret
     * @return Helm's release JSON of it, decoded (base64 of the API, base64, gzip)
     * @throws UncheckedIOException when it is not a release record
     */
    public static Map<String, Object> decode(Secret secret) {
        try {
            byte[] helm = Base64.getDecoder().decode(secret.getData().get("release"));
            byte[] zipped = Base64.getDecoder().decode(new String(helm, StandardCharsets.US_ASCII));
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(zipped))) {
                return JSON.readValue(in.readAllBytes(), new TypeReference<>() { });
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new UncheckedIOException(new IOException("Secret " + secret.getMetadata().getName()
                    + " is not a Helm release record: " + e.getMessage(), e));
        }
    }

    private static int version(Secret s) {
        try {
            return Integer.parseInt(s.getMetadata().getLabels().getOrDefault("version", "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private String firstDeployed(List<Secret> existing) {
        for (Secret s : existing) {
            try {
                if (decode(s).get("info") instanceof Map<?, ?> info && info.get("first_deployed") != null) {
                    return String.valueOf(info.get("first_deployed"));
                }
            } catch (UncheckedIOException ignored) {
                // a record someone else wrote badly does not stop the release's own
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private void supersede(Target target, List<Secret> existing) {
        for (Secret s : existing) {
            if (!"deployed".equals(s.getMetadata().getLabels().get("status"))) {
                continue;
            }
            Map<String, Object> release = decode(s);
            Map<String, Object> info = release.get("info") instanceof Map<?, ?> i
                    ? new LinkedHashMap<>((Map<String, Object>) i) : new LinkedHashMap<>();
            info.put("status", "superseded");
            release.put("info", info);
            Secret updated = new SecretBuilder(s).editMetadata().addToLabels("status", "superseded")
                    .addToLabels("modifiedAt", String.valueOf(Instant.now().getEpochSecond())).endMetadata()
                    .withData(Map.of("release", Base64.getEncoder().encodeToString(encode(release).getBytes(StandardCharsets.US_ASCII))))
                    .build();
            client.secrets().inNamespace(target.storageNamespace()).resource(updated).update();
        }
    }

    /**
     * Makes room for one more record as Helm's {@code storage.Create} does with {@code MaxHistory} (helm-controller sets
     * it from {@code spec.maxHistory} for upgrades and rollbacks, {@code removeLeastRecent(name, max - 1)}): the oldest
     * records are deleted until {@code maxHistory - 1} are left, skipping the latest {@code deployed} one, which stays
     * however old it is; 0 keeps all.
     */
    private void makeRoom(Target target) {
        if (target.maxHistory() <= 0) {
            return;
        }
        List<Secret> all = records(target);
        int deployed = all.stream().filter(s -> "deployed".equals(s.getMetadata().getLabels().get("status")))
                .mapToInt(ReleaseRecords::version).max().orElse(-1);
        int excess = all.size() - (target.maxHistory() - 1);
        for (Secret s : all) {
            if (excess <= 0) {
                break;
            }
            if (version(s) != deployed) {
                client.secrets().inNamespace(target.storageNamespace()).resource(s).delete();
                excess--;
            }
        }
    }

    private void write(Target target, int version, String status, String description, String firstDeployed,
                       String lastDeployed, ReleaseBundle bundle, List<HookRunner.Result> runs) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("first_deployed", firstDeployed);
        info.put("last_deployed", lastDeployed);
        info.put("description", description);
        info.put("status", status);
        Map<String, Object> chart = new LinkedHashMap<>();
        ReleaseBundle.Release release = bundle.release();
        chart.put("metadata", release == null ? Map.of() : release.chartMetadata());
        chart.put("templates", List.of());
        chart.put("values", release == null ? Map.of() : release.chartValues());
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("name", target.name());
        record.put("info", info);
        record.put("chart", chart);
        record.put("config", release == null ? Map.of() : release.config());
        StringBuilder manifest = new StringBuilder();
        for (Map<String, Object> object : bundle.objects()) {
            manifest.append(manifestDocument(object));
        }
        record.put("manifest", manifest.toString());
        record.put("hooks", hooks(bundle.hooks(), runs));
        record.put("version", version);
        record.put("namespace", target.namespace());
        record.put("apply_method", "ssa");
        if (release != null && release.ociDigest() != null) {
            record.put(OCI_DIGEST, release.ociDigest());
        }
        String now = String.valueOf(Instant.now().getEpochSecond());
        Secret secret = new SecretBuilder().withNewMetadata()
                .withName("sh.helm.release.v1." + target.name() + ".v" + version)
                .withNamespace(target.storageNamespace())
                .addToLabels("name", target.name()).addToLabels("owner", "helm").addToLabels("status", status)
                .addToLabels("version", String.valueOf(version)).addToLabels("createdAt", now)
                .endMetadata()
                .withType(TYPE)
                .withData(Map.of("release", Base64.getEncoder().encodeToString(encode(record).getBytes(StandardCharsets.US_ASCII))))
                .build();
        client.secrets().inNamespace(target.storageNamespace()).resource(secret).createOr(c -> c.update());
    }

    /**
     * The settings of the manifest's YAML: block style, no line folding, and no anchors or aliases (a map that occurs
     * twice in an object is written twice, as Helm's renderer writes it). Immutable, so shared.
     */
    private static final DumpSettings MANIFEST_YAML = DumpSettings.builder().setDefaultFlowStyle(FlowStyle.BLOCK)
            .setWidth(Integer.MAX_VALUE).setDereferenceAliases(true).build();

    /**
     * One object of a record's {@code manifest} as Helm writes it: a {@code ---} document in block style, strings
     * plain unless YAML needs quotes, so {@code helm get manifest} reads as a rendered chart does (fabric8's writer
     * quoted every string). A new {@link Dump} per call: its representer keeps per-dump state (the objects already
     * represented, for aliases), and one shared between the applier's threads failed under concurrent releases with
     * "Anchor is required in AliasEvent" (8 of 1,000 HelmReleases in the MTTP benchmark).
     */
    static String manifestDocument(Map<String, Object> object) {
        return "---\n" + new Dump(MANIFEST_YAML).dumpToString(object);
    }

    /** @return Helm's hook records, each with the last run of this attempt (if it ran) */
    private static List<Map<String, Object>> hooks(List<Map<String, Object>> objects, List<HookRunner.Result> runs) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> object : objects) {
            Hook hook = Hook.of(object);
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("name", hook.name());
            h.put("kind", hook.kind());
            h.put("manifest", manifestDocument(object));
            h.put("events", List.copyOf(hook.events()));
            Map<String, Object> lastRun = new LinkedHashMap<>();
            lastRun.put("phase", "");
            for (HookRunner.Result run : runs) {
                for (HookRunner.Execution e : run.executions()) {
                    if (e.hook().id().equals(hook.id())) {
                        lastRun.put("started_at", e.startedAt().toString());
                        lastRun.put("completed_at", e.completedAt().toString());
                        lastRun.put("phase", e.phase());
                    }
                }
            }
            h.put("last_run", lastRun);
            if (hook.weight() != 0) {
                h.put("weight", hook.weight());
            }
            h.put("delete_policies", List.copyOf(hook.deletePolicies()));
            out.add(h);
        }
        return out;
    }

    /** @return base64(gzip(JSON)), Helm's {@code encodeRelease} */
    private static String encode(Map<String, Object> release) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
                gzip.write(JSON.writeValueAsBytes(release));
            }
            return Base64.getEncoder().encodeToString(bytes.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

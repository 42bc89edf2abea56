package io.conflux.model.meta;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The "no silent stall" rule of issue #13 as a pure decision: does a Flux object sit past its interval with a status
 * that does not say why? An object is <em>pending</em> when it has no {@code Ready} condition, or its status was not
 * written for its current {@code metadata.generation} ({@code status.observedGeneration}, or else the {@code Ready}
 * condition's {@code observedGeneration}, below it), or its {@code Ready} is {@code Unknown} (Flux's "reconciliation
 * in progress"). It is <em>stalled</em> when it has been pending for longer than {@code spec.interval} +
 * {@code spec.timeout} + a grace, counted from the last change of its spec (the newest of
 * {@code metadata.creationTimestamp} and the {@code managedFields} times of writes outside {@code status}) or, for
 * {@code Ready=Unknown} at the current generation, from that condition's {@code lastTransitionTime}. Suspended objects
 * and objects being deleted are never stalled (Flux leaves them as they are).
 *
 * <p>A stall gets a {@code Ready=False} condition naming what the object waits for, with Flux's reasons where one fits
 * (as kustomize-controller and helm-controller report them): {@code ArtifactFailed} when its source is missing or not
 * Ready, {@code DependencyNotReady} when a {@code dependsOn} object is missing or not Ready, and otherwise
 * {@value #NOT_RECONCILED} naming the Conflux service(s) and Kafka topic whose work never arrived.
 *
 * <p>Used by the applier's periodic audit (which writes the condition) and by {@code conflux check} (which lists the
 * stalls); no I/O here. Objects are read as JSON ({@code GenericKubernetesResource} converted), so every Flux kind and
 * served version is handled alike.
 */
public final class StallAudit {
    /** Conflux's reason when no Flux reason fits: the object was not reconciled for its generation in time. */
    public static final String NOT_RECONCILED = "NotReconciled";

    /**
     * The kinds audited (those with a status) → who writes their status in Conflux, as the message names them. The
     * static v1beta3 Provider and Alert have no status and are left out.
     */
    public static final Map<String, String> WRITERS = Map.ofEntries(
            Map.entry("GitRepository", "conflux-webhook-receiver's reconcile (ls-remote, conflux.reconcile-requests)"
                    + " and conflux-renderer's fetch (conflux.source-revisions)"),
            Map.entry("OCIRepository", "conflux-webhook-receiver's reconcile (conflux.reconcile-requests)"
                    + " and conflux-renderer's fetch (conflux.source-revisions)"),
            Map.entry("Bucket", "conflux-webhook-receiver's reconcile (conflux.reconcile-requests)"
                    + " and conflux-renderer's fetch (conflux.source-revisions)"),
            Map.entry("HelmRepository", "conflux-renderer's index fetch (on the conflux-renderer Lease holder)"),
            Map.entry("HelmChart", "conflux-renderer's chart fetch"),
            Map.entry("ArtifactGenerator", "conflux-renderer's generator run (conflux.source-revisions)"),
            Map.entry("ExternalArtifact", "conflux-renderer's ArtifactGenerator run (conflux.source-revisions)"),
            Map.entry("Kustomization", "conflux-renderer's render result (conflux.render-results)"
                    + " and conflux-applier's apply"),
            Map.entry("HelmRelease", "conflux-renderer's render result (conflux.render-results)"
                    + " and conflux-applier's release"),
            Map.entry("Receiver", "conflux-webhook-receiver's reconcile"));

    /**
     * The end of every message the audit writes: it tells the reader who wrote the condition, and tells the next
     * audit that the object is still pending (a status without {@code observedGeneration} would look current).
     */
    public static final String MARK = " (conflux-applier stall audit)";

    /** Interval assumed for a kind without {@code spec.interval} (ExternalArtifact): Flux's common default. */
    static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(10);

    private StallAudit() {
    }

    /**
     * A stalled object and the {@code Ready} condition it should carry.
     *
     * @param key        the object
     * @param generation its {@code metadata.generation}
     * @param reason     the {@code Ready=False} reason ({@code ArtifactFailed}, {@code DependencyNotReady} or
     *                   {@value #NOT_RECONCILED})
     * @param message    what it waits for, naming the object, service or topic; stable from one audit to the next
     * @param since      when it started to wait
     * @param reported   whether its {@code Ready} condition already says exactly this (nothing to write)
     */
    public record Stall(ObjectKey key, long generation, String reason, String message, Instant since,
                        boolean reported) {
        /** @return the {@code Ready} condition to set (its {@code lastTransitionTime} is set by {@link Conditions#set}) */
        public Condition condition() {
            return Conditions.ready(false, generation, reason, message);
        }
    }

    /**
     * @param object Flux object as JSON ({@code kind}, {@code metadata}, {@code spec}, {@code status})
     * @param lookup reads another Flux object by key (sources, dependencies); empty when it does not exist
     * @param now    the time of the audit
     * @param grace  the margin beyond interval + timeout (not negative)
     * @return the stall, or empty when the object is not audited, not pending, or still within its time
     */
    public static Optional<Stall> of(JsonNode object, Function<ObjectKey, Optional<JsonNode>> lookup, Instant now,
                                     Duration grace) {
        String kind = object.path("kind").asText();
        JsonNode metadata = object.path("metadata");
        if (!WRITERS.containsKey(kind) || object.at("/spec/suspend").asBoolean(false)
                || metadata.hasNonNull("deletionTimestamp")) {
            return Optional.empty();
        }
        ObjectKey key = new ObjectKey(kind, metadata.path("namespace").asText(), metadata.path("name").asText());
        long generation = metadata.path("generation").asLong(1);
        JsonNode ready = ready(object);
        long observed = object.at("/status/observedGeneration").isNumber()
                ? object.at("/status/observedGeneration").asLong()
                : ready != null && ready.path("observedGeneration").isNumber() ? ready.path("observedGeneration").asLong()
                : ready != null ? generation : 0;
        Instant since;
        String pending;
        if (ready == null) {
            since = lastSpecChange(metadata);
            pending = "no Ready condition";
        } else if (ready.path("message").asText().endsWith(MARK)) {
            // its own verdict: still pending until a service writes the status
            since = lastSpecChange(metadata);
            pending = observed < generation
                    ? "generation " + generation + " not reconciled (status is for generation " + observed + ")"
                    : "no Ready condition";
        } else if (observed < generation) {
            since = lastSpecChange(metadata);
            pending = "generation " + generation + " not reconciled (status is for generation " + observed + ")";
        } else if ("Unknown".equals(ready.path("status").asText())) {
            since = time(ready.path("lastTransitionTime").asText(null));
            pending = "Ready=Unknown (" + ready.path("reason").asText() + ")";
        } else {
            return Optional.empty();
        }
        if (since == null) {
            return Optional.empty();
        }
        Duration interval = GoDuration.parseOr(object.at("/spec/interval").asText(null), DEFAULT_INTERVAL);
        Duration timeout = GoDuration.parseOr(object.at("/spec/timeout").asText(null), defaultTimeout(kind, interval));
        Duration budget = interval.plus(timeout).plus(grace);
        if (now.isBefore(since.plus(budget))) {
            return Optional.empty();
        }
        String waited = "since " + since + ", past interval " + GoDuration.format(interval) + " + timeout "
                + GoDuration.format(timeout) + " + grace " + GoDuration.format(grace);
        String reason;
        String message;
        Optional<String> upstream = upstream(object, key, lookup);
        Optional<String> dependency = dependency(object, key, lookup);
        if (upstream.isPresent()) {
            reason = FluxReasons.ARTIFACT_FAILED;
            message = upstream.get() + "; " + pending + " " + waited;
        } else if (dependency.isPresent()) {
            reason = FluxReasons.DEPENDENCY_NOT_READY;
            message = dependency.get() + "; " + pending + " " + waited;
        } else {
            reason = NOT_RECONCILED;
            message = pending + " " + waited + ": waiting for " + WRITERS.get(kind)
                    + "; check that these services run and are ready (conflux check) and their logs";
        }
        message += MARK;
        boolean reported = ready != null && "False".equals(ready.path("status").asText())
                && reason.equals(ready.path("reason").asText()) && message.equals(ready.path("message").asText())
                && ready.path("observedGeneration").asLong(-1) == generation;
        return Optional.of(new Stall(key, generation, reason, message, since, reported));
    }

    /**
     * @return "source K/ns/n not found" or "source K/ns/n is not ready (…)" for the first source the object reads
     *         that is missing or not Ready; empty when all are Ready or the kind reads none
     */
    private static Optional<String> upstream(JsonNode object, ObjectKey key, Function<ObjectKey, Optional<JsonNode>> lookup) {
        List<JsonNode> refs = new ArrayList<>();
        JsonNode spec = object.path("spec");
        switch (key.kind()) {
            case "Kustomization", "HelmChart", "ExternalArtifact" -> refs.add(spec.path("sourceRef"));
            case "HelmRelease" -> {
                refs.add(spec.path("chartRef"));
                refs.add(spec.at("/chart/spec/sourceRef"));
            }
            case "ArtifactGenerator" -> spec.path("sources").forEach(refs::add);
            default -> {
                return Optional.empty();
            }
        }
        for (JsonNode ref : refs) {
            if (!ref.hasNonNull("kind") || !ref.hasNonNull("name")) {
                continue;
            }
            ObjectKey source = new ObjectKey(ref.path("kind").asText(),
                    ref.path("namespace").asText(key.namespace()), ref.path("name").asText());
            Optional<String> problem = notReady("source", source, lookup);
            if (problem.isPresent()) {
                return problem;
            }
        }
        return Optional.empty();
    }

    /** @return the first {@code spec.dependsOn} entry missing or not Ready, as a message; empty otherwise */
    private static Optional<String> dependency(JsonNode object, ObjectKey key, Function<ObjectKey, Optional<JsonNode>> lookup) {
        for (JsonNode dep : object.at("/spec/dependsOn")) {
            if (!dep.hasNonNull("name")) {
                continue;
            }
            ObjectKey d = new ObjectKey(key.kind(), dep.path("namespace").asText(key.namespace()), dep.path("name").asText());
            Optional<String> problem = notReady("dependency", d, lookup);
            if (problem.isPresent()) {
                return problem;
            }
        }
        return Optional.empty();
    }

    private static Optional<String> notReady(String role, ObjectKey key, Function<ObjectKey, Optional<JsonNode>> lookup) {
        Optional<JsonNode> found = lookup.apply(key);
        if (found.isEmpty()) {
            return Optional.of(role + " " + key + " not found");
        }
        JsonNode ready = ready(found.get());
        if (ready == null) {
            return Optional.of(role + " " + key + " is not ready (no Ready condition)");
        }
        if (!"True".equals(ready.path("status").asText())) {
            return Optional.of(role + " " + key + " is not ready (Ready=" + ready.path("status").asText() + " "
                    + ready.path("reason").asText() + ")");
        }
        return Optional.empty();
    }

    /** @return the {@code Ready} condition of {@code object}'s status, or null */
    private static JsonNode ready(JsonNode object) {
        for (JsonNode c : object.at("/status/conditions")) {
            if (Condition.READY.equals(c.path("type").asText())) {
                return c;
            }
        }
        return null;
    }

    /** Flux's default {@code spec.timeout}: the interval for Kustomizations, 5m for HelmReleases, 60s for sources. */
    private static Duration defaultTimeout(String kind, Duration interval) {
        return switch (kind) {
            case "Kustomization" -> interval;
            case "HelmRelease" -> Duration.ofMinutes(5);
            case "Receiver", "ExternalArtifact" -> Duration.ZERO;
            default -> Duration.ofSeconds(60);
        };
    }

    /** @return the newest of the creation time and the times of writes to anything but {@code status} */
    private static Instant lastSpecChange(JsonNode metadata) {
        Instant latest = time(metadata.path("creationTimestamp").asText(null));
        for (JsonNode entry : metadata.path("managedFields")) {
            if ("status".equals(entry.path("subresource").asText())) {
                continue;
            }
            JsonNode fields = entry.path("fieldsV1");
            boolean onlyStatus = fields.isObject() && fields.size() == 1 && fields.has("f:status");
            Instant t = time(entry.path("time").asText(null));
            if (!onlyStatus && t != null && (latest == null || t.isAfter(latest))) {
                latest = t;
            }
        }
        return latest;
    }

    private static Instant time(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}

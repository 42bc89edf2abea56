package io.conflux.service;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Keeps a service's informers from failing in silence. Each watched informer gets an exception handler that keeps
 * retrying (fabric8's reflector then lists and watches again with its backoff, so a watch whose CRD or version comes
 * back restarts by itself) and records the failure. A watch counts as failed when it is not watching and either its
 * last failure is one that does not heal by retrying alone — {@code 404} (CRD or served version removed),
 * {@code 403}/{@code 401} (RBAC denied), {@code 410} (resource version gone, again and again) — or it has failed
 * {@code failuresBeforeUnready} times in a row. A failed watch is logged once as an error naming it and its cause, and
 * listed by {@link #failed()} (the services' readiness check, {@link WatchReadiness}) until the informer watches again.
 *
 * <p>An informer that listed once and is no longer watching, with no failure reported, is probed: fabric8's watch
 * manager re-opens an ended watch by itself and keeps retrying a refused one without telling the informer (its
 * exception handler never sees the 404 of a removed CRD, as the watch stream simply ends, as kube-apiserver ends it).
 * A watch given a probe ({@link #watch(String, SharedIndexInformer, Probe)}, or any typed watch when this object
 * has a client) has it run at each {@link #failed()} while so: a list of at most one object of the watched resource;
 * a refusal is recorded as a failure of the watch (so a 404 makes it failed at once), a success leaves it as is (a
 * watch between two connections).
 * Thread-safe.
 */
public final class Watches {
    private static final Logger LOG = Logger.getLogger(Watches.class);

    private final int failuresBeforeUnready;
    private final KubernetesClient client;
    private final Map<String, State> watches = new ConcurrentHashMap<>();

    /** Lists the watched resource once (at most one object), throwing the API server's refusal. */
    @FunctionalInterface
    public interface Probe {
        /** @throws KubernetesClientException the API server's answer when it refuses the list */
        void run();
    }

    /**
     * @param failuresBeforeUnready failures in a row after which a watch failing with a retriable error (connection
     *                              refused, 5xx, timeout) counts as failed; at least 1
     * @throws IllegalArgumentException when it is below 1
     */
    public Watches(int failuresBeforeUnready) {
        this(failuresBeforeUnready, null);
    }

    /**
     * @param failuresBeforeUnready as {@link #Watches(int)}
     * @param client                the client typed watches ({@link #watch(Class, SharedIndexInformer)}) probe with
     *                              when they stop watching in silence; null for none
     * @throws IllegalArgumentException when {@code failuresBeforeUnready} is below 1
     */
    public Watches(int failuresBeforeUnready, KubernetesClient client) {
        if (failuresBeforeUnready < 1) {
            throw new IllegalArgumentException("conflux.watch.failures-before-unready must be at least 1, not "
                    + failuresBeforeUnready);
        }
        this.failuresBeforeUnready = failuresBeforeUnready;
        this.client = client;
    }

    /**
     * A watch that has failed.
     *
     * @param name     the watch's name, e.g. {@code Kustomization (kustomize.toolkit.fluxcd.io/v1)}
     * @param reason   the last failure: HTTP code and the API server's message, or the exception's message
     * @param since    when the first failure in a row happened
     * @param failures failures in a row
     */
    public record Failed(String name, String reason, Instant since, int failures) {
        /** @return one line: {@code <name>: <reason> (<failures> failures since <since>)} */
        public String describe() {
            return name + ": " + reason + " (" + failures + " failure" + (failures == 1 ? "" : "s") + " since " + since
                    + ")";
        }
    }

    /**
     * Watches {@code informer}: call before starting it (it replaces its exception handler).
     *
     * @param name     names the watch in the readiness check and the log, e.g. the kind and API version watched
     * @param informer a not yet started informer
     * @return {@code informer}
     */
    public <T> SharedIndexInformer<T> watch(String name, SharedIndexInformer<T> informer) {
        return watch(name, informer, null);
    }

    /**
     * Watches {@code informer} with a probe: call before starting it (it replaces its exception handler).
     *
     * @param name     names the watch in the readiness check and the log
     * @param informer a not yet started informer
     * @param probe    lists the watched resource, run when the informer stopped watching without a failure reported;
     *                 null for none
     * @return {@code informer}
     */
    public <T> SharedIndexInformer<T> watch(String name, SharedIndexInformer<T> informer, Probe probe) {
        State state = new State(name, informer, probe);
        watches.put(name, state);
        informer.exceptionHandler((started, t) -> {
            state.failed(t);
            return true;
        });
        return informer;
    }

    /**
     * Watches {@code informer} of the typed kind {@code type}, named {@code <Kind> (<apiVersion>)}, e.g.
     * {@code Kustomization (kustomize.toolkit.fluxcd.io/v1)}: call before starting it.
     *
     * @return {@code informer}
     */
    public <T extends HasMetadata> SharedIndexInformer<T> watch(Class<T> type, SharedIndexInformer<T> informer) {
        Probe probe = client == null ? null : () -> client.resources(type).inAnyNamespace()
                .list(new ListOptionsBuilder().withLimit(1L).build());
        return watch(HasMetadata.getKind(type) + " (" + HasMetadata.getApiVersion(type) + ")", informer, probe);
    }

    /** Stops tracking the watch {@code name} (its informer closed). */
    public void forget(String name) {
        watches.remove(name);
    }

    /** @return the watches failed now, by name; a watch that is watching again is healthy (and logged so once) */
    public List<Failed> failed() {
        List<Failed> out = new ArrayList<>();
        for (State s : watches.values()) {
            s.failure().ifPresent(out::add);
        }
        out.sort(java.util.Comparator.comparing(Failed::name));
        return out;
    }

    /** @return the names of every watch, healthy or not */
    public List<String> names() {
        return watches.keySet().stream().sorted().toList();
    }

    /**
     * @return whether {@code t} is a failure retrying alone does not heal: the API server answered 404 (the resource
     *         or version is not served), 401/403 (not allowed) or 410 (gone)
     */
    static boolean lasting(Throwable t) {
        int code = code(t);
        return code == 404 || code == 401 || code == 403 || code == 410;
    }

    private static int code(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof WatcherException w && w.isHttpGone()) {
                return 410;
            }
            if (c instanceof KubernetesClientException k && k.getCode() > 0) {
                return k.getCode();
            }
        }
        return 0;
    }

    private static String reason(Throwable t) {
        int code = code(t);
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof KubernetesClientException k && k.getStatus() != null && k.getStatus().getMessage() != null) {
                return code + " " + k.getStatus().getMessage();
            }
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return code > 0 ? code + " " + message : message;
    }

    private final class State {
        private final String name;
        private final SharedIndexInformer<?> informer;
        private final Probe probe;
        private int failures;
        private Instant since;
        private String reason;
        private boolean lasting;
        private boolean reported;

        State(String name, SharedIndexInformer<?> informer, Probe probe) {
            this.name = name;
            this.informer = informer;
            this.probe = probe;
        }

        synchronized void failed(Throwable t) {
            if (failures == 0) {
                since = Instant.now();
            }
            failures++;
            reason = reason(t);
            lasting = lasting(t);
            if (counts() && !reported) {
                reported = true;
                LOG.errorf("watch of %s failed: %s; the service is not ready until it watches again (retrying)", name,
                        reason);
            } else {
                LOG.debugf("watch of %s failed (%d in a row): %s", name, failures, reason);
            }
        }

        synchronized java.util.Optional<Failed> failure() {
            if (informer.isWatching()) {
                if (reported) {
                    LOG.infof("watch of %s is watching again after %d failures", name, failures);
                }
                failures = 0;
                reported = false;
                return java.util.Optional.empty();
            }
            if (!counts() && probe != null && informer.hasSynced()) {
                try {
                    probe.run(); // fabric8 re-watches an ended watch by itself, reporting nothing: ask the server
                } catch (KubernetesClientException e) {
                    failed(e);
                }
            }
            return counts() ? java.util.Optional.of(new Failed(name, reason, since, failures)) : java.util.Optional.empty();
        }

        private boolean counts() {
            return failures > 0 && (lasting || failures >= failuresBeforeUnready);
        }
    }
}

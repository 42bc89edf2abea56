package io.conflux.notifier.dispatch;

import io.smallrye.config.ConfigMapping;
import java.time.Duration;
import java.util.Optional;

/** The notifier's own configuration, keys {@code conflux.notifier.*} (documented in application.properties). */
@ConfigMapping(prefix = "conflux.notifier")
public interface NotifierConfig {

    /** @return retries of failed HTTP calls */
    Retry retry();

    /** @return limit for opening a connection to a Provider */
    Duration connectTimeout();

    /** @return limit of one HTTP call when the Provider sets no {@code spec.timeout} */
    Duration defaultTimeout();

    /** @return how long the same event for the same Alert is sent only once */
    Duration duplicateWindow();

    /**
     * @return how long a {@code PENDING} delivery begun by another notifier process may stay untouched before it is
     *         taken to be interrupted (a crash) and sent again; younger, it is in flight there and waited for
     */
    Duration pendingTakeover();

    /**
     * @return {@code conflux.notifier.invalid-config-recheck}: time between two checks of every owned Provider and
     *         Alert, so that one made usable without a new generation (the Secret it lacked created) loses its
     *         {@code InvalidConfig} Warning Events; zero turns the periodic check off
     */
    Duration invalidConfigRecheck();

    /** @return least time between two calls to one Provider; zero disables the limit */
    Duration providerMinInterval();

    /** @return Slack settings */
    Slack slack();

    /** @return the largest {@code limit} the REST listings accept */
    int maxListLimit();

    /** @return the number of rows the REST listings return when no {@code limit} is given */
    int defaultListLimit();

    /** @return Kubernetes Events of the events ({@code produce.KubernetesEventWriter}) */
    KubernetesEvents kubernetesEvents();

    /**
     * @return {@code conflux.notifier.report-unsupported-fields}: whether Flux objects are watched for spec fields
     *         Conflux does not act on, each generation reported once as an {@code UnsupportedField} Warning event
     */
    boolean reportUnsupportedFields();

    /** {@code conflux.notifier.retry.*}. */
    interface Retry {
        /** @return calls in all for one delivery, at least 1 */
        int maxAttempts();

        /** @return wait before the second call; doubled for each further one */
        Duration initialBackoff();

        /** @return longest wait between two calls (also caps {@code Retry-After}) */
        Duration maxBackoff();
    }

    /** {@code conflux.notifier.kubernetes-events.*}. */
    interface KubernetesEvents {
        /** @return whether every event is written as an {@code events.k8s.io/v1} Event on its involved object */
        boolean enabled();

        /** @return {@code reportingController} of an Event whose Conflux event names none */
        String reportingController();

        /** @return {@code reportingInstance} of an Event whose Conflux event names none; empty: {@code $HOSTNAME} */
        Optional<String> reportingInstance();
    }

    /** {@code conflux.notifier.slack.*}. */
    interface Slack {
        /** @return {@code icon_url} of Slack messages */
        String iconUrl();
    }
}

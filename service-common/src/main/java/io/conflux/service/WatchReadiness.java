package io.conflux.service;

import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * The readiness check {@code conflux-watches} of every service: {@code DOWN} while one of its informers' watches has
 * failed ({@link Watches}), with one data entry per failed watch ({@code <name>}: reason, failures, since), so that
 * {@code /q/health/ready} and {@code conflux check} name it; {@code UP} with the number of watches otherwise. A
 * service's informers register with the {@link Watches} bean this class produces
 * ({@code conflux.watch.failures-before-unready}).
 */
@Readiness
@ApplicationScoped
public class WatchReadiness implements HealthCheck {
    /** The check's name in {@code /q/health/ready}. */
    public static final String NAME = "conflux-watches";

    @Inject
    Watches watches;

    /**
     * @param failuresBeforeUnready {@code conflux.watch.failures-before-unready}
     * @param client                the service's client, which probes a typed watch that stopped watching in silence
     * @return the service's one {@link Watches}
     */
    @Produces
    @Singleton
    static Watches watches(@ConfigProperty(name = "conflux.watch.failures-before-unready") int failuresBeforeUnready,
                           KubernetesClient client) {
        return new Watches(failuresBeforeUnready, client);
    }

    @Override
    public HealthCheckResponse call() {
        List<Watches.Failed> failed = watches.failed();
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME).status(failed.isEmpty())
                .withData("watches", watches.names().size());
        for (Watches.Failed f : failed) {
            response.withData(f.name(), f.reason() + " (" + f.failures() + " failures since " + f.since() + ")");
        }
        return response.build();
    }
}

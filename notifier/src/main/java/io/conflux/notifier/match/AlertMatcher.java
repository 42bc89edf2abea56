package io.conflux.notifier.match;

import io.conflux.model.notification.Alert;
import io.conflux.model.notification.AlertSpec;
import io.conflux.model.topic.FluxEvent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jboss.logging.Logger;

/**
 * Selects the {@code Alert}s an event is for, by the rules of Flux's notification-controller
 * ({@code internal/server/event_handlers.go}: {@code filterAlertsForEvent}, {@code eventMatchesAlertSource},
 * {@code messageIsIncluded}, {@code messageIsExcluded}):
 * <ul>
 *   <li>a suspended Alert ({@code spec.suspend: true}) matches nothing;</li>
 *   <li>one of {@code spec.eventSources} must match: same {@code kind}, same namespace (a source without
 *       namespace means the Alert's), {@code name} equal or {@code *}, and — when {@code matchLabels} is set —
 *       every label present with the same value on the involved object;</li>
 *   <li>{@code spec.eventSeverity} {@code info} (the default) takes every event, {@code error} only errors;</li>
 *   <li>when {@code spec.inclusionList} is set, some regular expression must be found in the message;</li>
 *   <li>no regular expression of {@code spec.exclusionList} may be found in the message.</li>
 * </ul>
 * Expressions are searched for anywhere in the message (Go's {@code regexp.Match}); an expression that does not
 * compile is logged and skipped, as Flux does. Java's regular-expression dialect stands in for Go's RE2.
 */
public final class AlertMatcher {
    private static final Logger LOG = Logger.getLogger(AlertMatcher.class);

    private AlertMatcher() {
    }

    /**
     * @param event  the event as received
     * @param alerts candidate Alerts (any namespace)
     * @param labels reads the involved object's labels; only called for sources with {@code matchLabels}
     * @return the matching Alerts, in the order given
     */
    public static List<Alert> matching(FluxEvent event, Collection<Alert> alerts, LabelLookup labels) {
        List<Alert> out = new ArrayList<>();
        for (Alert alert : alerts) {
            if (matches(event, alert, labels)) {
                out.add(alert);
            }
        }
        return out;
    }

    /**
     * @return whether {@code alert} takes {@code event} (see the class description)
     */
    public static boolean matches(FluxEvent event, Alert alert, LabelLookup labels) {
        AlertSpec spec = alert.getSpec();
        if (spec == null || Boolean.TRUE.equals(spec.suspend()) || event.involvedObject() == null) {
            return false;
        }
        if (!matchesSources(event, alert, labels)) {
            return false;
        }
        String message = event.message() == null ? "" : event.message();
        if (spec.inclusionList() != null && !spec.inclusionList().isEmpty()
                && spec.inclusionList().stream().noneMatch(exp -> found(exp, message, alert))) {
            return false;
        }
        return spec.exclusionList() == null || spec.exclusionList().stream().noneMatch(exp -> found(exp, message, alert));
    }

    private static boolean matchesSources(FluxEvent event, Alert alert, LabelLookup labels) {
        List<AlertSpec.EventSource> sources = alert.getSpec().eventSources();
        if (sources == null) {
            return false;
        }
        for (AlertSpec.EventSource source : sources) {
            if (matchesSource(event, alert, source, labels)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matchesSource(FluxEvent event, Alert alert, AlertSpec.EventSource source,
                                         LabelLookup labels) {
        FluxEvent.InvolvedObject object = event.involvedObject();
        String namespace = source.namespace() == null || source.namespace().isEmpty()
                ? alert.getMetadata().getNamespace() : source.namespace();
        if (!Objects.equals(object.namespace(), namespace) || !Objects.equals(object.kind(), source.kind())) {
            return false;
        }
        String severity = alert.getSpec().eventSeverity();
        if (severity != null && !severity.isEmpty() && !FluxEvent.INFO.equals(severity)
                && !severity.equals(event.severity())) {
            return false;
        }
        if (!"*".equals(source.name()) && !Objects.equals(source.name(), object.name())) {
            return false;
        }
        if (source.matchLabels() == null) {
            return true;
        }
        Optional<Map<String, String>> actual = labels.labels(object);
        if (actual.isEmpty()) {
            LOG.warnf("cannot read labels of %s/%s/%s for Alert %s/%s", object.kind(), object.namespace(),
                    object.name(), alert.getMetadata().getNamespace(), alert.getMetadata().getName());
            return false;
        }
        return source.matchLabels().entrySet().stream()
                .allMatch(e -> Objects.equals(actual.get().get(e.getKey()), e.getValue()));
    }

    private static boolean found(String expression, String message, Alert alert) {
        try {
            return Pattern.compile(expression).matcher(message).find();
        } catch (PatternSyntaxException e) {
            LOG.errorf("Alert %s/%s: failed to compile regex %s: %s", alert.getMetadata().getNamespace(),
                    alert.getMetadata().getName(), expression, e.getDescription());
            return false;
        }
    }
}

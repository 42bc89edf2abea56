package io.conflux.cli.check;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;

/**
 * The place where {@code conflux check} reports the Flux fields Conflux does not act on (issue #13, "nothing ignored
 * in silence"). The detector of unsupported fields is built on another branch (wt-fields); until it is wired in,
 * this check reports nothing.
 */
public final class UnsupportedFields {
    private UnsupportedFields() {
    }

    /**
     * @return one {@link Finding#warn} per object and field Conflux does not act on; none yet
     */
    public static List<Finding> check(KubernetesClient client) {
        // LEAD (merge of wt-fields): call the unsupported-field detector's public method on every Flux object read
        // from `client` here, one Finding.warn("unsupported-fields", "<Kind>/<ns>/<name>: <field> ...") each.
        return List.of();
    }
}

package io.conflux.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Checks a kubeconfig taken from a tenant's Secret ({@code spec.kubeConfig.secretRef}) before fabric8 ever sees it,
 * because fabric8's {@code Config.fromKubeconfig} runs {@code users[].user.exec} commands and auth-provider plugins
 * while it builds the configuration, and later reads the files a kubeconfig names.
 *
 * <p>Refused, in every entry of {@code users} and {@code clusters} (not only the current context's):
 * <ul>
 *   <li>{@code user.exec} and {@code user.auth-provider} — unless the operator allows them
 *       ({@code conflux.applier.insecure-kubeconfig-exec=true}, {@code conflux.renderer.insecure-kubeconfig-exec=true}, as Flux's {@code --insecure-kubeconfig-exec});</li>
 *   <li>local file references, always: {@code user.client-certificate}, {@code user.client-key},
 *       {@code user.tokenFile}, {@code cluster.certificate-authority} — only the inline {@code *-data} fields and
 *       {@code token} are accepted, so a tenant cannot make the applier read, say, its own service-account token and
 *       send it to a server the tenant controls.</li>
 * </ul>
 * Flux (fluxcd/pkg {@code runtime/client} {@code KubeConfig}) copies only the server, the inline certificate data,
 * basic auth and the bearer token into the REST config it builds, and silently drops the exec provider unless
 * {@code --insecure-kubeconfig-exec} is set; this check is stricter: it refuses such a kubeconfig with a message
 * instead of connecting without the credentials it names, and it checks before anything is built, not after.
 *
 * <p>The YAML is read with bounds (at most 1 MiB, 50 aliases, 64 levels of nesting, no duplicate keys, no merge keys
 * in {@code users} and {@code clusters} entries, one document), so that what is checked is what fabric8 reads. Problems name
 * the field (e.g. {@code users[0].user.exec}) and, for YAML errors, the line and column — never a value.
 */
public final class KubeconfigCheck {
    /** Bound of a kubeconfig's size in code points (a Secret holds at most 1 MiB). */
    static final int MAX_CODE_POINTS = 1024 * 1024;
    /** Bound of nested collections. */
    static final int MAX_DEPTH = 64;
    /** Bound of aliases to collections. */
    static final int MAX_ALIASES = 50;

    private static final String MERGE_KEY = "<<";
    private static final List<String> USER_FILES = List.of("client-certificate", "client-key", "tokenFile");
    private static final List<String> CLUSTER_FILES = List.of("certificate-authority");
    private static final List<String> USER_COMMANDS = List.of("exec", "auth-provider");

    private KubeconfigCheck() {
    }

    /**
     * @param kubeconfig the kubeconfig's YAML (or JSON)
     * @param allowExec  whether {@code exec} and {@code auth-provider} users are allowed
     *                   ({@code conflux.<service>.insecure-kubeconfig-exec})
     * @param service    the service that would build the client ({@code applier}, {@code renderer}), named in the
     *                   reason with its key
     * @return the first reason to refuse it, naming the field (e.g. {@code users[0].user.exec runs a command ...}),
     *         or empty when fabric8 may build a client from it
     */
    public static Optional<String> refusal(String kubeconfig, boolean allowExec, String service) {
        LoadSettings settings = LoadSettings.builder()
                .setLabel("kubeconfig")
                .setCodePointLimit(MAX_CODE_POINTS)
                .setMaxAliasesForCollections(MAX_ALIASES)
                .setAllowDuplicateKeys(false)
                .setAllowRecursiveKeys(false)
                .build();
        Object document;
        try {
            int depth = 0;
            for (Event event : new Parse(settings).parseString(kubeconfig)) {
                switch (event.getEventId()) {
                    case MappingStart, SequenceStart -> {
                        if (++depth > MAX_DEPTH) {
                            return Optional.of("is nested deeper than " + MAX_DEPTH + " levels" + at(event.getStartMark()));
                        }
                    }
                    case MappingEnd, SequenceEnd -> depth--;
                    default -> { }
                }
            }
            document = new Load(settings).loadFromString(kubeconfig);
        } catch (MarkedYamlEngineException e) {
            // the exception's message quotes the offending line: report only the problem and where it is
            return Optional.of("is not valid YAML: " + e.getProblem() + at(e.getProblemMark()));
        } catch (YamlEngineException e) {
            return Optional.of("is not valid YAML (" + e.getClass().getSimpleName() + ")");
        }
        if (!(document instanceof Map<?, ?> root)) {
            return Optional.of("is not a kubeconfig (not a mapping)");
        }
        List<String> problems = new ArrayList<>();
        entries(root, "users", "user", (field, entry) -> {
            if (!allowExec) {
                USER_COMMANDS.stream().filter(entry::containsKey).findFirst().ifPresent(k -> problems.add(field + "." + k
                        + (k.equals("exec") ? " runs a command" : " runs an auth-provider plugin")
                        + " in the " + service + "; refused (the operator may allow it with conflux." + service
                        + ".insecure-kubeconfig-exec=true,"
                        + " as Flux's --insecure-kubeconfig-exec)"));
            }
            USER_FILES.stream().filter(entry::containsKey).findFirst().ifPresent(k -> problems.add(field + "." + k
                    + " names a local file of the " + service + "; refused (use " + inline(k) + ")"));
        }, problems);
        entries(root, "clusters", "cluster", (field, entry) -> CLUSTER_FILES.stream().filter(entry::containsKey).findFirst()
                .ifPresent(k -> problems.add(field + "." + k + " names a local file of the " + service + "; refused (use "
                        + inline(k) + ")")), problems);
        return problems.stream().findFirst();
    }

    private static String inline(String fileField) {
        return fileField.equals("tokenFile") ? "token" : fileField + "-data";
    }

    private interface EntryCheck {
        void check(String field, Map<?, ?> entry);
    }

    private static void entries(Map<?, ?> root, String list, String key, EntryCheck check, List<String> problems) {
        Object value = root.get(list);
        if (value == null) {
            return;
        }
        if (!(value instanceof List<?> items)) {
            problems.add(list + " is not a list");
            return;
        }
        for (int i = 0; i < items.size(); i++) {
            String field = list + "[" + i + "]." + key;
            if (!(items.get(i) instanceof Map<?, ?> item)) {
                problems.add(list + "[" + i + "] is not a mapping");
            } else if (item.containsKey(MERGE_KEY) || item.get(key) instanceof Map<?, ?> m && m.containsKey(MERGE_KEY)) {
                // YAML 1.1 merge keys are read differently by YAML libraries: refuse rather than guess what fabric8 sees
                problems.add(list + "[" + i + "] uses a YAML merge key (<<); refused");
            } else if (item.get(key) instanceof Map<?, ?> entry) {
                check.check(field, entry);
            } else if (item.get(key) != null) {
                problems.add(field + " is not a mapping");
            }
        }
    }

    private static String at(Optional<Mark> mark) {
        return mark.map(m -> " at line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1)).orElse("");
    }
}

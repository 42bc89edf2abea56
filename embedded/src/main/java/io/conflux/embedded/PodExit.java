package io.conflux.embedded;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the in-memory cluster's stand-in kubelet ({@link WorkloadController}) ends a Pod that runs once (a Helm hook or
 * test Pod): the {@code status.containerStatuses} a kubelet reports for containers that ran to the end, each
 * {@code state.terminated} with {@code exitCode} and {@code reason} ({@code Completed} for 0, {@code Error} otherwise).
 * No image is run: a container exits with {@code n} when its {@code command} and {@code args} are a shell
 * ({@code sh}, {@code bash}, {@code ash}, by path or not) with {@code -c} and a script that is only {@code exit <n>}
 * (how charts write a failing test, e.g. podinfo's {@code faults.testFail} Pod), with 1 when the Pod is annotated
 * {@value WorkloadController#OUTCOME_ANNOTATION}{@code : Failed}, else with 0.
 */
final class PodExit {
    private static final Set<String> SHELLS = Set.of("sh", "bash", "ash");
    private static final Pattern EXIT = Pattern.compile("\\s*exit\\s+(\\d{1,3})\\s*;?\\s*");

    private PodExit() {
    }

    /**
     * @param spec   the Pod's {@code spec}
     * @param failed whether the Pod is annotated to fail
     * @param now    the time of the termination, RFC 3339
     * @return one status per container of {@code spec.containers}, in order
     */
    static List<Map<String, Object>> containerStatuses(Map<?, ?> spec, boolean failed, String now) {
        List<Map<String, Object>> out = new ArrayList<>();
        List<?> containers = spec.get("containers") instanceof List<?> l ? l : List.of();
        for (Object c : containers) {
            Map<?, ?> container = c instanceof Map<?, ?> m ? m : Map.of();
            int code = failed ? 1 : scriptExitCode(container);
            Map<String, Object> terminated = new LinkedHashMap<>();
            terminated.put("exitCode", code);
            terminated.put("reason", code == 0 ? "Completed" : "Error");
            terminated.put("startedAt", now);
            terminated.put("finishedAt", now);
            Map<String, Object> status = new LinkedHashMap<>();
            status.put("name", String.valueOf(container.get("name")));
            status.put("image", String.valueOf(container.get("image")));
            status.put("imageID", "");
            status.put("ready", false);
            status.put("restartCount", 0);
            status.put("started", false);
            status.put("state", Map.of("terminated", terminated));
            out.add(status);
        }
        return out;
    }

    /** @return the {@code state.terminated.exitCode} of a status made by {@link #containerStatuses} */
    static int exitCode(Map<String, Object> containerStatus) {
        return containerStatus.get("state") instanceof Map<?, ?> state && state.get("terminated") instanceof Map<?, ?> t
                && t.get("exitCode") instanceof Number n ? n.intValue() : 0;
    }

    /** @return the code of a container whose command line is a shell running only {@code exit <n>}, else 0 */
    private static int scriptExitCode(Map<?, ?> container) {
        List<String> line = new ArrayList<>();
        for (String field : List.of("command", "args")) {
            if (container.get(field) instanceof List<?> parts) {
                parts.forEach(p -> line.add(String.valueOf(p)));
            }
        }
        if (line.size() != 3 || !SHELLS.contains(line.get(0).substring(line.get(0).lastIndexOf('/') + 1))
                || !line.get(1).equals("-c")) {
            return 0;
        }
        Matcher m = EXIT.matcher(line.get(2));
        return m.matches() ? Integer.parseInt(m.group(1)) % 256 : 0;
    }
}

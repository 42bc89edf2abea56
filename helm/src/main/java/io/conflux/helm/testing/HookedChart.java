package io.conflux.helm.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * <b>Test and development utility</b>: writes the fixture chart {@value #NAME} whose hooks cover Helm's hook
 * semantics, for {@link LocalChartRepository} or a Git repository:
 * <ul>
 *   <li>{@code templates/configmap.yaml}: the release's one object, ConfigMap {@code <release>-settings} with
 *       {@code data.message} = value {@code message};</li>
 *   <li>{@code templates/migrate.yaml}: Job {@code <release>-migrate}, a {@code pre-install,pre-upgrade} hook of
 *       weight {@code -5} (default delete policy {@code before-hook-creation}); with value {@code failMigration: true}
 *       its pod template carries {@code embedded.conflux.io/outcome: Failed}, so the embedded cluster's
 *       WorkloadController fails it (a failing hook that triggers remediation);</li>
 *   <li>{@code templates/notify.yaml}: Job {@code <release>-notify}, a {@code post-upgrade} hook with
 *       {@code hook-delete-policy: hook-succeeded};</li>
 *   <li>{@code templates/tests/test-connection.yaml}: Pod {@code <release>-test-connection}, a {@code test} hook
 *       ({@code restartPolicy: Never}); with value {@code failTests: true} it fails.</li>
 *   <li>{@code templates/keep.yaml}: with value {@code keep: true}, ConfigMap {@code <release>-keep} annotated
 *       {@code helm.sh/resource-policy: keep}, a release object Helm leaves on the cluster when the release is
 *       uninstalled;</li>
 *   <li>{@code crds/gizmos.yaml}: CustomResourceDefinition {@code gizmos.example.com}, installed before the release
 *       and never deleted with it;</li>
 * </ul>
 * Default values: {@code message: hello}, {@code failMigration: false}, {@code failTests: false}, {@code keep: false}.
 */
public final class HookedChart {
    /** The chart's name. */
    public static final String NAME = "hooked";

    private HookedChart() {
    }

    /**
     * @param parent  a directory; the chart is written to {@code parent/hooked}
     * @param version the chart's version, e.g. {@code 1.0.0}
     * @return the chart directory
     * @throws UncheckedIOException when it cannot be written
     */
    public static Path write(Path parent, String version) {
        try {
            Path chart = Files.createDirectories(parent.resolve(NAME));
            Path templates = Files.createDirectories(chart.resolve("templates/tests"));
            Files.writeString(chart.resolve("Chart.yaml"), """
                    apiVersion: v2
                    name: hooked
                    description: a chart with hooks and tests
                    version: %s
                    appVersion: "2.0"
                    """.formatted(version));
            Files.createDirectories(chart.resolve("crds"));
            Files.writeString(chart.resolve("crds/gizmos.yaml"), """
                    apiVersion: apiextensions.k8s.io/v1
                    kind: CustomResourceDefinition
                    metadata:
                      name: gizmos.example.com
                    spec:
                      group: example.com
                      scope: Namespaced
                      names: {kind: Gizmo, listKind: GizmoList, plural: gizmos, singular: gizmo}
                      versions:
                        - name: v1
                          served: true
                          storage: true
                          schema:
                            openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
                    """);
            Files.writeString(chart.resolve("values.yaml"), "message: hello\nfailMigration: false\nfailTests: false\nkeep: false\n");
            Files.writeString(chart.resolve("templates/configmap.yaml"), """
                    apiVersion: v1
                    kind: ConfigMap
                    metadata:
                      name: {{ .Release.Name }}-settings
                    data:
                      message: {{ .Values.message | quote }}
                    """);
            Files.writeString(chart.resolve("templates/keep.yaml"), """
                    {{- if .Values.keep }}
                    apiVersion: v1
                    kind: ConfigMap
                    metadata:
                      name: {{ .Release.Name }}-keep
                      annotations:
                        helm.sh/resource-policy: keep
                    data:
                      message: {{ .Values.message | quote }}
                    {{- end }}
                    """);
            Files.writeString(chart.resolve("templates/migrate.yaml"), """
                    apiVersion: batch/v1
                    kind: Job
                    metadata:
                      name: {{ .Release.Name }}-migrate
                      annotations:
                        helm.sh/hook: pre-install,pre-upgrade
                        helm.sh/hook-weight: "-5"
                    spec:
                      backoffLimit: 0
                      template:
                        metadata:
                          {{- if .Values.failMigration }}
                          annotations:
                            embedded.conflux.io/outcome: Failed
                          {{- end }}
                          labels: {app: migrate}
                        spec:
                          restartPolicy: Never
                          containers:
                            - name: migrate
                              image: busybox:1.36
                              command: ["sh", "-c", "echo migrating"]
                    """);
            Files.writeString(chart.resolve("templates/notify.yaml"), """
                    apiVersion: batch/v1
                    kind: Job
                    metadata:
                      name: {{ .Release.Name }}-notify
                      annotations:
                        helm.sh/hook: post-upgrade
                        helm.sh/hook-delete-policy: hook-succeeded
                    spec:
                      template:
                        spec:
                          restartPolicy: Never
                          containers:
                            - name: notify
                              image: busybox:1.36
                              command: ["sh", "-c", "echo upgraded"]
                    """);
            Files.writeString(templates.resolve("test-connection.yaml"), """
                    apiVersion: v1
                    kind: Pod
                    metadata:
                      name: {{ .Release.Name }}-test-connection
                      annotations:
                        helm.sh/hook: test
                        {{- if .Values.failTests }}
                        embedded.conflux.io/outcome: Failed
                        {{- end }}
                    spec:
                      restartPolicy: Never
                      containers:
                        - name: wget
                          image: busybox:1.36
                          command: ["sh", "-c", "echo ok"]
                    """);
            return chart;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

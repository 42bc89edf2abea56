package io.conflux.cli.local;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Creates the Flux objects that start a GitOps tree on a management cluster — the same a {@code flux bootstrap}
 * leaves behind: one {@code GitRepository} and one {@code Kustomization} of it; optionally a GitHub
 * {@code Receiver} for push webhooks and a Slack {@code Provider} with an {@code Alert} for every Kustomization.
 * Objects are server-side applied, so running it again changes nothing.
 */
public final class Bootstrap {
    private Bootstrap() {
    }

    /**
     * @param namespace namespace of the bootstrap objects
     * @param name      name of the GitRepository and the Kustomization
     * @param url       repository URL as manifests name it (insteadOf rewrites apply)
     * @param branch    branch to track
     * @param path      path of the Kustomization inside the repository
     * @param interval  Go duration of the source poll and the Kustomization interval
     */
    public record Source(String namespace, String name, String url, String branch, String path, String interval) {
    }

    /** Applies the GitRepository and the Kustomization. */
    public static void gitOps(KubernetesClient client, Source s) {
        apply(client, """
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: GitRepository
                metadata: {name: %s, namespace: %s}
                spec:
                  interval: %s
                  url: %s
                  ref: {branch: %s}
                """.formatted(s.name(), s.namespace(), s.interval(), s.url(), s.branch()));
        apply(client, """
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata: {name: %s, namespace: %s}
                spec:
                  interval: %s
                  path: %s
                  prune: true
                  sourceRef: {kind: GitRepository, name: %s}
                """.formatted(s.name(), s.namespace(), s.interval(), s.path(), s.name()));
    }

    /**
     * Applies a Secret holding {@code token} and a GitHub {@code Receiver} for push events of the named
     * GitRepositories (in the same namespace).
     */
    public static void githubReceiver(KubernetesClient client, String namespace, String name, String token,
                                      List<String> gitRepositories) {
        apply(client, """
                apiVersion: v1
                kind: Secret
                metadata: {name: %s-token, namespace: %s}
                stringData: {token: "%s"}
                """.formatted(name, namespace, token));
        String resources = gitRepositories.stream()
                .map(r -> "    - {apiVersion: source.toolkit.fluxcd.io/v1, kind: GitRepository, name: " + r + "}")
                .collect(Collectors.joining("\n"));
        apply(client, """
                apiVersion: notification.toolkit.fluxcd.io/v1
                kind: Receiver
                metadata: {name: %s, namespace: %s}
                spec:
                  type: github
                  events: ["ping", "push"]
                  secretRef: {name: %s-token}
                  resources:
                %s
                """.formatted(name, namespace, name, resources));
    }

    /**
     * Applies a Slack {@code Provider} (address in a Secret) and an {@code Alert} for the events of every
     * Kustomization in {@code sourceNamespaces}.
     */
    public static void slackAlert(KubernetesClient client, String namespace, String webhookUrl, List<String> sourceNamespaces) {
        apply(client, """
                apiVersion: v1
                kind: Secret
                metadata: {name: slack-url, namespace: %s}
                stringData: {address: "%s"}
                """.formatted(namespace, webhookUrl));
        apply(client, """
                apiVersion: notification.toolkit.fluxcd.io/v1beta3
                kind: Provider
                metadata: {name: slack, namespace: %s}
                spec:
                  type: slack
                  channel: general
                  secretRef: {name: slack-url}
                """.formatted(namespace));
        apply(client, """
                apiVersion: notification.toolkit.fluxcd.io/v1beta3
                kind: Alert
                metadata: {name: kustomizations, namespace: %s}
                spec:
                  providerRef: {name: slack}
                  eventSeverity: info
                  eventSources:
                %s
                """.formatted(namespace, sourceNamespaces.stream()
                        .map(ns -> "    - {kind: Kustomization, name: '*', namespace: " + ns + "}")
                        .collect(Collectors.joining("\n"))));
    }

    private static void apply(KubernetesClient client, String yaml) {
        client.resource(yaml).fieldManager("conflux-bootstrap").forceConflicts().serverSideApply();
    }
}

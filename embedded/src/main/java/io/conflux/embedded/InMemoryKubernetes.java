package io.conflux.embedded;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * An in-memory Kubernetes API server (fabric8's {@link KubernetesMockServer} in CRUD mode, its store indexed by
 * {@link IndexedCrudDispatcher} and its answers patched by {@link ApiServerDispatcher}) listening on
 * {@code http://127.0.0.1:<port>} without TLS or authentication.
 * Conflux uses it both as management cluster (Flux objects) and as target cluster (applied manifests).
 *
 * <p>Behaves like a real API server for what Conflux uses (see {@link ApiServerDispatcher} for the corrections
 * made to fabric8's mock): API discovery for built-in kinds and installed CRDs, server-side apply (create and
 * update), cluster-scoped kinds ignore {@code metadata.namespace}, {@code metadata.generation/uid/resourceVersion/
 * creationTimestamp}, the {@code status} subresource, list/watch with label selectors in any namespace (a watch
 * from a {@code resourceVersion} gets every later change once, in order, or {@code 410} when that version is too old:
 * {@link StoreWatches}; each event in one WebSocket frame: {@link UnfragmentedWatch}),
 * multi-version CRDs with conversion {@code None} (all versions read, write and watch the same objects, with
 * {@code apiVersion} rewritten to the version asked for), namespaced objects can only be created in an existing namespace, and deleting a Namespace
 * deletes its contents at once, field ownership ({@code metadata.managedFields}) decides what server-side apply
 * keeps and removes, a Job's selector and template, a Deployment's selector and a Service's clusterIP are immutable
 * ({@code 422}), custom resources are pruned, defaulted and validated against their CRD's schema and
 * {@code x-kubernetes-validations} ({@code 422 Invalid}, see {@link CustomResourceAdmission}), CRDs are
 * {@code Established} with {@code storedVersions} kept and refused updates as on a real server (see
 * {@link CrdLifecycle}), and an {@link Authorizer} may refuse requests ({@code 403}). The namespaces {@link #INITIAL_NAMESPACES} exist from the start.
 *
 * <p>State lives only in memory and is lost on {@link #close()}.
 */
public final class InMemoryKubernetes implements AutoCloseable {

    /** Name of the context, cluster and user written by {@link #writeKubeconfig(Path)}. */
    public static final String CONTEXT = "conflux-local";

    /** The ClusterRole that exists from the start, as in a new cluster: every verb on every resource. */
    public static final String CLUSTER_ADMIN = "cluster-admin";

    /** Namespaces that exist from the start, as in a new cluster. */
    public static final List<String> INITIAL_NAMESPACES = List.of("default", "kube-system", "kube-public", "kube-node-lease");

    private static final Logger LOG = Logger.getLogger(InMemoryKubernetes.class);

    private final KubernetesMockServer server;
    private final ApiServerDispatcher dispatcher;
    private final KubernetesClient client;
    private final String url;
    private boolean closed;

    private InMemoryKubernetes(KubernetesMockServer server, ApiServerDispatcher dispatcher, String url) {
        this.server = server;
        this.dispatcher = dispatcher;
        this.url = url;
        this.client = new KubernetesClientBuilder().withConfig(clientConfig(url)).build();
    }

    /**
     * Starts a new, empty API server on a free port of 127.0.0.1.
     *
     * @return the running server; close it to stop it
     * @throws UncheckedIOException if the loopback address cannot be bound
     */
    public static InMemoryKubernetes start() {
        return start(Store.INDEXED);
    }

    /** The object stores the API server can keep its objects in; {@link #start()} takes the indexed one. */
    enum Store {
        /** {@link IndexedCrudDispatcher}: fabric8's store with lookups by resource, namespace and name. */
        INDEXED,
        /** fabric8's mock CRUD store as it is: every request scans every stored object (O(objects) per request). */
        FABRIC8_MOCK
    }

    /**
     * Starts a new, empty API server on {@code store}; for benchmarks comparing the stores
     * ({@code ApiServerStoreBenchmark}).
     */
    static InMemoryKubernetes start(Store store) {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        MockWebServer webServer = new MockWebServer();
        ApiServerDispatcher dispatcher = new ApiServerDispatcher(switch (store) {
            case INDEXED -> new IndexedCrudDispatcher();
            case FABRIC8_MOCK -> new KubernetesMixedDispatcher(responses);
        });
        KubernetesMockServer server = new KubernetesMockServer(
            new Context(Json.MAPPER), webServer, responses, new ForgettingRequests(dispatcher, webServer), false);
        InetAddress loopback;
        try {
            loopback = InetAddress.getByName("127.0.0.1");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.init(loopback, 0);
        String url = "http://127.0.0.1:" + server.getPort();
        LOG.debugf("in-memory Kubernetes API server listening on %s", url);
        InMemoryKubernetes kube = new InMemoryKubernetes(server, dispatcher, url);
        for (String ns : INITIAL_NAMESPACES) {
            kube.client.resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
        }
        // the bootstrap ClusterRole every cluster has (kube-apiserver's bootstrap policy), which charts bind to
        kube.client.resource(new io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder()
            .withNewMetadata().withName(CLUSTER_ADMIN).addToLabels("kubernetes.io/bootstrapping", "rbac-defaults")
            .endMetadata()
            .addNewRule().withApiGroups("*").withResources("*").withVerbs("*").endRule()
            .addNewRule().withNonResourceURLs("*").withVerbs("*").endRule()
            .build()).create();
        return kube;
    }

    /**
     * Sets who may do what: every later request (discovery only for its impersonation) is shown to
     * {@code authorizer} with its impersonation headers, and answered {@code 403 Forbidden} with the real server's message when refused — a
     * stand-in for RBAC, and a way to record which identity a client used. {@link Authorizer#ALLOW_ALL} by default.
     *
     * @param authorizer decides on each request; called on the server thread, one request at a time
     */
    public void authorize(Authorizer authorizer) {
        dispatcher.authorizer(authorizer);
    }

    /**
     * The bearer token that authenticates as service account {@code namespace/name} (user
     * {@code system:serviceaccount:<namespace>:<name>}, groups {@code system:serviceaccounts} and
     * {@code system:serviceaccounts:<namespace>}) — the stand-in for the token a pod of that service account mounts.
     * Such a client may do only what RBAC grants it once {@link Authorizer#RBAC} is the authorizer.
     *
     * @param namespace the service account's namespace
     * @param name      the service account's name
     * @return the token, for {@link #writeKubeconfig(Path, String)} or a client's {@code oauthToken}
     */
    public static String serviceAccountToken(String namespace, String name) {
        return RbacPolicy.SERVICE_ACCOUNT_PREFIX + namespace + ":" + name;
    }

    /** @return the API server's base URL, {@code http://127.0.0.1:<port>} (no trailing slash) */
    public String url() {
        return url;
    }

    /** @return a fabric8 client bound to this server (default namespace {@code default}); owned by this object */
    public KubernetesClient client() {
        return client;
    }

    /**
     * Writes a kubeconfig file (YAML, context/cluster/user {@value #CONTEXT}, current context set, namespace
     * {@code default}, plain HTTP, token auth with a dummy token) that a separate process can use through
     * {@code KUBECONFIG}. Parent directories are created.
     *
     * @param file where to write; overwritten if it exists
     * @return {@code file}
     * @throws UncheckedIOException if the file cannot be written
     */
    public Path writeKubeconfig(Path file) {
        return writeKubeconfig(file, "conflux-local");
    }

    /**
     * Like {@link #writeKubeconfig(Path)}, authenticating with {@code token} (e.g. a
     * {@link #serviceAccountToken service account's}).
     *
     * @param file  where to write; overwritten if it exists
     * @param token the bearer token
     * @return {@code file}
     * @throws UncheckedIOException if the file cannot be written
     */
    public Path writeKubeconfig(Path file, String token) {
        String yaml = "apiVersion: v1\n"
            + "kind: Config\n"
            + "clusters:\n"
            + "- name: " + CONTEXT + "\n"
            + "  cluster:\n"
            + "    server: " + url + "\n"
            + "contexts:\n"
            + "- name: " + CONTEXT + "\n"
            + "  context:\n"
            + "    cluster: " + CONTEXT + "\n"
            + "    user: " + CONTEXT + "\n"
            + "    namespace: default\n"
            + "current-context: " + CONTEXT + "\n"
            + "preferences: {}\n"
            + "users:\n"
            + "- name: " + CONTEXT + "\n"
            + "  user:\n"
            + "    token: " + token + "\n";
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write kubeconfig " + file, e);
        }
        return file;
    }

    /**
     * Creates (server-side applies) every CustomResourceDefinition found in the {@code *.yaml}/{@code *.yml}
     * files directly inside {@code dir}; multi-document files are supported, other kinds are ignored.
     *
     * @param dir a directory such as {@code deploy/crds}
     * @return the names of the CRDs installed, in file-name order
     * @throws UncheckedIOException if the directory or a file cannot be read
     */
    public List<String> installCrds(Path dir) {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        List<String> names = new ArrayList<>();
        for (Path file : files) {
            try (InputStream in = Files.newInputStream(file)) {
                for (HasMetadata item : client.load(in).items()) {
                    if (item instanceof CustomResourceDefinition crd) {
                        client.resource(crd).fieldManager("conflux").forceConflicts().serverSideApply();
                        names.add(crd.getMetadata().getName());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        return names;
    }

    /** Closes the client and stops the server. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        client.close();
        server.destroy();
    }

    /**
     * Dispatches to the API server and then drops the requests fabric8's {@link MockWebServer} recorded: it keeps
     * every request it receives, headers and body, for {@code takeRequest()}, which nothing here reads, so the heap
     * grew with every request served (each apply's body, each status patch) for as long as the server ran.
     */
    private static final class ForgettingRequests extends Dispatcher {
        private final ApiServerDispatcher dispatcher;
        private final MockWebServer webServer;

        ForgettingRequests(ApiServerDispatcher dispatcher, MockWebServer webServer) {
            this.dispatcher = dispatcher;
            this.webServer = webServer;
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            try {
                return dispatcher.dispatch(request);
            } finally {
                forget();
            }
        }

        private void forget() {
            try {
                while (webServer.takeRequest(0, TimeUnit.MILLISECONDS) != null) {
                    // dropped
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void shutdown() {
            dispatcher.shutdown();
        }
    }

    static Config clientConfig(String url) {
        return new ConfigBuilder(Config.empty())
            .withMasterUrl(url)
            .withNamespace("default")
            .withOauthToken("conflux-local")
            .build();
    }
}

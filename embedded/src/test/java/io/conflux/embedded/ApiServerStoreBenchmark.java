package io.conflux.embedded;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Times the in-memory API server's requests as its store fills (issue #17): for each store and each N, creates N
 * ConfigMaps (about 1 KiB of JSON each, labelled {@code index=<i>}) in namespace {@code bench} beside 10 Secrets, then
 * times a sample of each request kind against random objects and prints one line per (store, N): the seconds to
 * create the N objects, and the mean microseconds per GET, merge PATCH, server-side apply, list of the 10 Secrets
 * (a bucket the ConfigMaps are not in) and list of ConfigMaps by label (one match among N), plus the heap the
 * objects hold (used heap after a full GC, minus the empty server's).
 *
 * <p>Requests go over HTTP (java.net.http, HTTP/1.1, one at a time) as a client's would, so each figure includes the
 * server's request parsing, authorization and admission, which do not depend on N. Run by
 * {@code bench/api-server-store.sh}; arguments: {@code --counts=1000,10000 --stores=FABRIC8_MOCK,INDEXED
 * --samples=200}; a warm-up run of each store at 500 objects comes first and is not printed. Figures from a shared
 * machine are "under load": compare the stores within one run.
 */
public final class ApiServerStoreBenchmark {

    private static final String NS = "bench";

    private final HttpClient http = HttpClient.newHttpClient();
    private final String url;

    private ApiServerStoreBenchmark(String url) {
        this.url = url;
    }

    /**
     * @param args {@code --counts=N,...}, {@code --stores=NAME,...} ({@link InMemoryKubernetes.Store} names) and
     *             {@code --samples=S} (requests timed per kind)
     * @throws Exception when a request fails or answers an unexpected status
     */
    public static void main(String[] args) throws Exception {
        List<Integer> counts = List.of(1_000, 10_000);
        List<InMemoryKubernetes.Store> stores = List.of(InMemoryKubernetes.Store.values());
        int samples = 200;
        for (String arg : args) {
            if (arg.startsWith("--counts=")) {
                counts = splitInts(arg.substring("--counts=".length()));
            } else if (arg.startsWith("--stores=")) {
                stores = new ArrayList<>();
                for (String s : arg.substring("--stores=".length()).split(",")) {
                    stores.add(InMemoryKubernetes.Store.valueOf(s.trim()));
                }
            } else if (arg.startsWith("--samples=")) {
                samples = Integer.parseInt(arg.substring("--samples=".length()));
            } else {
                throw new IllegalArgumentException("unknown argument " + arg);
            }
        }
        for (InMemoryKubernetes.Store store : stores) {
            run(store, Math.min(500, counts.get(0)), Math.max(1, samples / 4), false); // warm-up: JIT, class loading
        }
        System.out.printf("%-13s %7s %10s %9s %9s %9s %9s %9s %9s%n", "store", "N", "create s", "GET us",
            "PATCH us", "apply us", "list0 us", "list1 us", "heap MiB");
        for (int n : counts) {
            for (InMemoryKubernetes.Store store : stores) {
                run(store, n, samples, true);
            }
        }
    }

    private static void run(InMemoryKubernetes.Store store, int n, int samples, boolean print) throws Exception {
        long emptyHeap;
        try (InMemoryKubernetes kube = InMemoryKubernetes.start(store)) {
            ApiServerStoreBenchmark b = new ApiServerStoreBenchmark(kube.url());
            b.send("POST", "/api/v1/namespaces", "application/json",
                "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + NS + "\"}}", 201);
            for (int i = 0; i < 10; i++) {
                b.send("POST", "/api/v1/namespaces/" + NS + "/secrets", "application/json",
                    "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s-" + i
                        + "\",\"labels\":{\"app\":\"x\"}},\"data\":{\"k\":\"dmFsdWU=\"}}", 201);
            }
            emptyHeap = usedHeap();
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                b.send("POST", "/api/v1/namespaces/" + NS + "/configmaps", "application/json", configMap(i, 0), 201);
            }
            double createSeconds = (System.nanoTime() - start) / 1e9;
            long heap = usedHeap() - emptyHeap;
            Random random = new Random(17);
            double get = b.time(samples, i -> b.send("GET", cm(random.nextInt(n)), null, null, 200));
            double patch = b.time(samples, i -> b.send("PATCH", cm(random.nextInt(n)),
                "application/merge-patch+json", "{\"data\":{\"patched\":\"" + i + "\"}}", 200));
            double apply = b.time(samples, i -> {
                int k = random.nextInt(n);
                b.send("PATCH", cm(k) + "?fieldManager=bench&force=true", "application/apply-patch+yaml",
                    configMap(k, i + 1), 200);
            });
            double listSmall = b.time(samples, i -> b.send("GET", "/api/v1/namespaces/" + NS
                + "/secrets?labelSelector=app%3Dx", null, null, 200));
            double listLabel = b.time(samples, i -> b.send("GET", "/api/v1/namespaces/" + NS
                + "/configmaps?labelSelector=index%3D" + random.nextInt(n), null, null, 200));
            if (print) {
                System.out.printf(Locale.ROOT, "%-13s %,7d %10.1f %9.0f %9.0f %9.0f %9.0f %9.0f %9.1f%n", store, n,
                createSeconds, get, patch, apply, listSmall, listLabel, heap / 1048576.0);
            }
        }
    }

    private static String cm(int i) {
        return "/api/v1/namespaces/" + NS + "/configmaps/cm-" + i;
    }

    /** A ConfigMap of about 1 KiB: 16 keys of 48 characters, labelled with its index. */
    private static String configMap(int i, int generation) {
        StringBuilder data = new StringBuilder();
        for (int k = 0; k < 16; k++) {
            data.append(k == 0 ? "" : ",").append("\"key-").append(k).append("\":\"")
                .append(String.format(Locale.ROOT, "%048d", (long) i * 31 + k + generation)).append('"');
        }
        return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm-" + i + "\",\"namespace\":\""
            + NS + "\",\"labels\":{\"app\":\"bench\",\"index\":\"" + i + "\"}},\"data\":{" + data + "}}";
    }

    private interface Request {
        void run(int i) throws IOException, InterruptedException;
    }

    /** @return mean microseconds per request over {@code samples} requests, after {@code samples / 10} warm-ups */
    private double time(int samples, Request request) throws IOException, InterruptedException {
        for (int i = 0; i < Math.max(1, samples / 10); i++) {
            request.run(i);
        }
        long start = System.nanoTime();
        for (int i = 0; i < samples; i++) {
            request.run(i);
        }
        return (System.nanoTime() - start) / 1e3 / samples;
    }

    private void send(String method, String path, String contentType, String body, int expected)
        throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path))
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected && (expected != 200 || response.statusCode() / 100 != 2)) {
            throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": "
                + response.body());
        }
    }

    private static long usedHeap() {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private static List<Integer> splitInts(String csv) {
        List<Integer> values = new ArrayList<>();
        for (String s : csv.split(",")) {
            values.add(Integer.parseInt(s.trim().replace("_", "")));
        }
        return values;
    }
}

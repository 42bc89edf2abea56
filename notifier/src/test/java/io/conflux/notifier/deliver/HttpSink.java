package io.conflux.notifier.deliver;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A local HTTP endpoint on 127.0.0.1 standing in for Slack, GitHub, ...: records every request and answers with
 * scripted responses (then with the default one).
 */
public final class HttpSink implements AutoCloseable {
    /** A recorded request. */
    public record Request(String method, String path, Map<String, List<String>> headers, String body) {
        /** @return the first value of a header (case-insensitive), or null */
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    /** A scripted response. */
    public record Response(int status, Map<String, String> headers, String body) {
        /** @return a response with a status and no headers */
        public static Response of(int status) {
            return new Response(status, Map.of(), "");
        }
    }

    private final HttpServer server;
    private final Queue<Response> script = new ConcurrentLinkedQueue<>();
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private volatile Response fallback = Response.of(200);
    private volatile java.util.concurrent.CountDownLatch gate;

    private HttpSink(HttpServer server) {
        this.server = server;
    }

    /** @return a sink on a free port of 127.0.0.1 answering 200 until scripted otherwise */
    public static HttpSink start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            HttpSink sink = new HttpSink(server);
            server.createContext("/", exchange -> {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                sink.requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                        Map.copyOf(exchange.getRequestHeaders()), body));
                java.util.concurrent.CountDownLatch held = sink.gate;
                if (held != null) {
                    try {
                        held.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                Response r = sink.script.poll();
                if (r == null) {
                    r = sink.fallback;
                }
                r.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
                byte[] out = r.body().getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(r.status(), out.length == 0 ? -1 : out.length);
                if (out.length > 0) {
                    exchange.getResponseBody().write(out);
                }
                exchange.close();
            });
            server.start();
            return sink;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Queues responses for the next requests. */
    public HttpSink then(Response... responses) {
        script.addAll(List.of(responses));
        return this;
    }

    /**
     * Holds every response (the request is recorded first) until the returned latch is counted down; the sink
     * answers nothing else meanwhile.
     */
    public java.util.concurrent.CountDownLatch hold() {
        gate = new java.util.concurrent.CountDownLatch(1);
        return gate;
    }

    /** Sets the response once the script is used up. */
    public HttpSink otherwise(Response response) {
        fallback = response;
        return this;
    }

    /** @return {@code http://127.0.0.1:<port>} + path */
    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** @return the requests received so far */
    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    @Override
    public void close() {
        if (gate != null) {
            gate.countDown();
        }
        server.stop(0);
    }
}

package io.conflux.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.LinkedHashSet;
import java.util.Set;

/** Finds free TCP ports on the loopback interface. */
public final class Ports {
    /** How many recently handed-out ports are remembered, so that none is handed out twice while still unbound. */
    static final int REMEMBERED = 1024;
    private static final Set<Integer> HANDED_OUT = new LinkedHashSet<>();

    private Ports() {
    }

    /**
     * Returns a TCP port on 127.0.0.1 that was free at the time of the call (bound to port 0 and released), and that
     * this JVM has not handed out among its last {@value #REMEMBERED} ports. Components started in parallel (the local
     * installation starts PostgreSQL beside Kafka) each ask for a port and bind it a little later; without the memory
     * the kernel can give both the same released port, and the second to bind fails with "Address already in use"
     * (seen: Kafka's listener on the port PostgreSQL had just taken). Another process may still take the port before
     * the caller binds it; callers bind promptly.
     *
     * @return a port number in 1..65535
     * @throws UncheckedIOException if no socket can be opened
     * @throws IllegalStateException if 100 probes in a row give only ports handed out before
     */
    public static int freePort() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = probe();
            synchronized (HANDED_OUT) {
                if (HANDED_OUT.add(port)) {
                    if (HANDED_OUT.size() > REMEMBERED) {
                        HANDED_OUT.remove(HANDED_OUT.iterator().next());
                    }
                    return port;
                }
            }
        }
        throw new IllegalStateException("no port on 127.0.0.1 that was not handed out already, after 100 probes");
    }

    private static int probe() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on 127.0.0.1", e);
        }
    }
}

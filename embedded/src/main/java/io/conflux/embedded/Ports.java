package io.conflux.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Finds free TCP ports on the loopback interface. */
public final class Ports {

    private Ports() {
    }

    /**
     * Returns a TCP port on 127.0.0.1 that was free at the time of the call (bound to port 0 and released).
     * Another process may take it before the caller binds it; callers bind promptly.
     *
     * @return a port number in 1..65535
     * @throws UncheckedIOException if no socket can be opened
     */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on 127.0.0.1", e);
        }
    }
}

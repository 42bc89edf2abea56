package io.conflux.service;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.vertx.pgclient.PgException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Sorts failures into transient infrastructure failures, which a handler retries with backoff
 * ({@link Retrying}) and never dead-letters, and poison, which no retry can fix (→ the channel's DLQ).
 *
 * <p>Transient, looked for anywhere in the cause chain: PostgreSQL unreachable or connection closed (connection
 * refused, socket timeouts, Vert.x "connection closed", SQLSTATE classes {@code 08} connection exception,
 * {@code 57P0x} shutdown, {@code 53} insufficient resources, {@code 40001} serialization failure and {@code 40P01}
 * deadlock); Kafka {@link RetriableException}s (which include Kafka's {@code TimeoutException}); API server answers
 * 429 and 5xx, and fabric8 failures without an HTTP code caused by I/O (timeouts, connection refused);
 * {@link QueueFullException}; {@link TimeoutException} and Mutiny's {@code ifNoItem} timeout. Everything
 * else — 4xx other than 429 (so 404 and 409 too: a conflict is retried where it can happen, e.g. in
 * {@link StatusPatcher}), parse errors, bugs — is poison.
 */
public final class Transient {
    private Transient() {
    }

    /**
     * @param failure any throwable, null allowed (poison)
     * @return true when the failure, or one of its causes, is a transient infrastructure failure
     */
    public static boolean is(Throwable failure) {
        Set<Throwable> seen = new HashSet<>();
        for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
            if (itself(t)) {
                return true;
            }
        }
        return false;
    }

    private static boolean itself(Throwable t) {
        if (t instanceof QueueFullException || t instanceof TimeoutException
                || t instanceof io.smallrye.mutiny.TimeoutException || t instanceof RetriableException
                || t instanceof ConnectException || t instanceof SocketTimeoutException
                || t instanceof NoRouteToHostException || t instanceof ClosedChannelException) {
            return true;
        }
        if (t instanceof KubernetesClientException k) {
            int code = k.getCode();
            return code == 429 || code >= 500 || (code <= 0 && k.getCause() instanceof IOException);
        }
        if (t instanceof PgException pg) {
            return transientSqlState(pg.getSqlState());
        }
        // Hibernate Reactive reports a PgException as a java.sql.SQLException carrying its SQLSTATE (the PgException
        // is not kept as a cause), e.g. LockAcquisitionException(SQLException 40001)
        if (t instanceof java.sql.SQLException sql) {
            return transientSqlState(sql.getSQLState());
        }
        String type = t.getClass().getName();
        if (type.equals("io.vertx.sqlclient.ClosedConnectionException")) {
            return true;
        }
        String message = t.getMessage();
        return type.startsWith("io.vertx.") && message != null
                && (message.contains("Connection is closed") || message.contains("Connection was closed")
                || message.contains("Timeout"));
    }

    /** @return whether a PostgreSQL SQLSTATE is transient: connection, shutdown, resources, serialization, deadlock */
    private static boolean transientSqlState(String state) {
        return state != null && (state.startsWith("08") || state.startsWith("57P0") || state.startsWith("53")
                || state.equals("40001") || state.equals("40P01"));
    }
}

package dev.tollgate.common.inbox;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.sql.SQLException;
import java.util.Set;

/**
 * Faults that pass by themselves: the database unreachable or restarting, a connection closed under the work, the
 * pool closed or out of connections, a serialization failure, a deadlock, or a lock not granted within the
 * transaction's {@code lock_timeout} (an erasure waiting for writes in flight). An event whose effect failed with one of
 * these is applied again for as long as the fault lasts; it never goes to the dead letters for it. A statement that
 * times out, a constraint violated or any other error of the effect itself is not one of them.
 */
public final class TransientFaults {

    /**
     * SQLSTATE classes and codes that name a passing fault: connection exceptions (08), serialization failure and
     * deadlock (40001, 40P01), a lock not available in time (55P03), insufficient resources (53, e.g. too many connections), a
     * server shutting down or
     * restarting (57P01, 57P02, 57P03).
     */
    private static final Set<String> CLASSES = Set.of("08", "53");
    private static final Set<String> CODES = Set.of("40001", "40P01", "55P03", "57P01", "57P02", "57P03");

    private TransientFaults() {
    }

    public static boolean isTransient(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            // Hibernate Reactive reports a failed statement as an SQLException with its SQLSTATE, without the cause
            String state = cause instanceof PgException pg ? pg.getSqlState()
                    : cause instanceof SQLException sql ? sql.getSQLState() : null;
            if (state != null && passing(state, cause.getMessage())) {
                return true;
            }
            if (cause instanceof ConnectException || cause instanceof UnknownHostException
                    || cause instanceof SocketException || cause instanceof ClosedChannelException
                    || cause instanceof ClosedConnectionException) {
                return true;
            }
            String name = cause.getClass().getName();
            // Vert.x: the pool closed under the work, or no connection free in time
            if ((name.equals("io.vertx.core.impl.NoStackTraceThrowable") && "Pool closed".equals(cause.getMessage()))
                    || name.equals("io.vertx.core.impl.NoStackTraceTimeoutException")) {
                return true;
            }
        }
        return false;
    }

    private static boolean passing(String state, String message) {
        return CODES.contains(state) || (state.length() == 5 && CLASSES.contains(state.substring(0, 2)))
        // a database closed to new connections for maintenance (ALTER DATABASE ... ALLOW_CONNECTIONS false)
                || ("55000".equals(state) && String.valueOf(message).contains("not currently accepting connections"));
    }
}

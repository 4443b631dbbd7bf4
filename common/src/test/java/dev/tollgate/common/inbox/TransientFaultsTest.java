package dev.tollgate.common.inbox;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.pgclient.PgException;
import jakarta.persistence.PersistenceException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** Which failures of an event's effect are waited out, and which send the event to the dead letters. */
class TransientFaultsTest {

    @Test
    void theDatabaseAwayADeadlockOrASerializationFailureAreWaitedOut() {
        // as Hibernate Reactive reports a failed statement: an SQLException with the state, wrapped on the way up
        assertTrue(TransientFaults.isTransient(new CompletionException(new PersistenceException(
                new SQLException("deadlock detected", "40P01")))));
        assertTrue(TransientFaults.isTransient(new SQLException("could not serialize access", "40001")));
        assertTrue(TransientFaults.isTransient(new PgException("terminating connection due to administrator command",
                "FATAL", "57P01", null)));
        assertTrue(TransientFaults.isTransient(new PgException("sorry, too many clients already", "FATAL", "53300",
                null)));
        assertTrue(TransientFaults.isTransient(new PgException("database \"tollgate\" is not currently accepting "
                + "connections", "FATAL", "55000", null)));
        assertTrue(TransientFaults.isTransient(new RuntimeException(new ConnectException("Connection refused"))));
        assertTrue(TransientFaults.isTransient(new UnknownHostException("postgres")));
    }

    @Test
    void anErrorOfTheEffectItselfIsNot() {
        assertFalse(TransientFaults.isTransient(new SQLException("duplicate key value", "23505")));
        assertFalse(TransientFaults.isTransient(new SQLException("canceling statement due to statement timeout",
                "57014")));
        assertFalse(TransientFaults.isTransient(new PgException("relation does not exist", "ERROR", "42P01", null)));
        assertFalse(TransientFaults.isTransient(new PgException("cannot drop the currently open database", "ERROR",
                "55006", null)));
        assertFalse(TransientFaults.isTransient(new IllegalStateException("a bug")));
        assertFalse(TransientFaults.isTransient(new java.util.concurrent.TimeoutException("the effect took too long")));
    }
}

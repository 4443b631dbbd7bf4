package dev.tollgate.testing;

import dev.tollgate.devstack.DevStack;
import dev.tollgate.devstack.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Plain JDBC against devstack's PostgreSQL, for what a test checks or arranges in a service's own schema:
 * that rows are gone after an erasure, or that a link's expiry has passed.
 */
public final class Sql {

    private Sql() {
    }

    /** Runs an insert, update or delete; answers the rows it touched. */
    public static int update(String sql, Object... params) {
        try (Connection connection = connect(); PreparedStatement statement = prepare(connection, sql, params)) {
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** The first column of the first row as a number, e.g. of {@code select count(*) ...}. */
    public static long number(String sql, Object... params) {
        try (Connection connection = connect();
                PreparedStatement statement = prepare(connection, sql, params);
                ResultSet rows = statement.executeQuery()) {
            if (!rows.next()) {
                throw new IllegalStateException("no row from " + sql);
            }
            return rows.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** The first column of the first row as text, e.g. an outbox row's payload. */
    public static String text(String sql, Object... params) {
        try (Connection connection = connect();
                PreparedStatement statement = prepare(connection, sql, params);
                ResultSet rows = statement.executeQuery()) {
            if (!rows.next()) {
                throw new IllegalStateException("no row from " + sql);
            }
            return rows.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(DevStack.shared().postgres().jdbcUrl(), PostgresServer.USER,
                PostgresServer.PASSWORD);
    }

    private static PreparedStatement prepare(Connection connection, String sql, Object... params) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        for (int i = 0; i < params.length; i++) {
            statement.setObject(i + 1, params[i]);
        }
        return statement;
    }
}

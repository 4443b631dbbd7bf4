package dev.tollgate.common.migration;

import io.quarkus.flyway.FlywayConfigurationCustomizer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/**
 * Flyway holds its migration lock for the session, not inside a transaction: an index built
 * {@code CONCURRENTLY} (so that a migration holds up no writes on a large table) waits for every open transaction,
 * and would wait forever for Flyway's own. Replicas starting meanwhile wait for the lock as long as it is held.
 */
@ApplicationScoped
public class SessionLockedMigrations implements FlywayConfigurationCustomizer {

    @Override
    public void customize(FluentConfiguration configuration) {
        configuration.configuration(Map.of("flyway.postgresql.transactional.lock", "false"));
        // a replica starting while another builds a large index waits for it rather than failing its start
        configuration.lockRetryCount(-1);
    }
}

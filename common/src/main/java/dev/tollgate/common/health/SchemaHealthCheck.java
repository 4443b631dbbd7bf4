package dev.tollgate.common.health;

import dev.tollgate.common.config.ServiceConfig;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only when the service's own schema exists and its migrations have run. */
@Readiness
@ApplicationScoped
public class SchemaHealthCheck implements AsyncHealthCheck {

    private final Pool pool;
    private final ServiceConfig service;

    public SchemaHealthCheck(Pool pool, ServiceConfig service) {
        this.pool = pool;
        this.service = service;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        String name = "PostgreSQL schema " + service.schema();
        return pool.preparedQuery("select count(*) from information_schema.tables "
                + "where table_schema = $1 and table_name = 'flyway_schema_history'")
                .execute(Tuple.of(service.schema()))
                .map(rows -> rows.iterator().next().getLong(0) == 1L)
                .map(migrated -> HealthCheckResponse.named(name).status(migrated)
                        .withData("schema", service.schema())
                        .withData("migrated", migrated)
                        .build())
                .onFailure().recoverWithItem(e -> HealthCheckResponse.named(name).down()
                        .withData("error", String.valueOf(e.getMessage())).build());
    }
}

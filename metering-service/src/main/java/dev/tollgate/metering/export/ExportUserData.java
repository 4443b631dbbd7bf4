package dev.tollgate.metering.export;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/**
 * What metering-service holds about a user, for their export (GDPR Art. 15/20): each usage event recorded
 * under their id, and their monthly totals, in every tenant. The JSON is built by PostgreSQL.
 */
@ApplicationScoped
public class ExportUserData {

    private static final String EVENTS = """
            select coalesce(json_agg(json_build_object('eventId', event_id, 'tenantId', tenant_id, 'source', source,
                'model', model, 'quantities', quantities, 'occurredAt', occurred_at) order by occurred_at, event_id),
                '[]'::json)::text
            from {h-schema}usage_events where user_id = :user""";
    private static final String TOTALS = """
            select coalesce(json_agg(json_build_object('tenantId', tenant_id, 'periodStart', period_start,
                'metric', metric, 'units', units) order by period_start, tenant_id, metric), '[]'::json)::text
            from {h-schema}usage_aggregates where user_id = :user""";

    public Uni<JsonObject> of(UUID userId) {
        return Panache.withSession(() -> Panache.getSession().chain(session -> session.createNativeQuery(EVENTS)
                .setParameter("user", userId).getSingleResult()
                .chain(events -> session.createNativeQuery(TOTALS).setParameter("user", userId).getSingleResult()
                        .map(totals -> new JsonObject()
                                .put("usageEvents", new JsonArray(String.valueOf(events)))
                                .put("monthlyTotals", new JsonArray(String.valueOf(totals)))))));
    }
}

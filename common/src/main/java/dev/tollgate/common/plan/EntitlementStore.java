package dev.tollgate.common.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.common.config.ServiceConfig;
import dev.tollgate.common.erasure.ErasureLocks;
import dev.tollgate.common.event.Entitlements;
import dev.tollgate.common.event.SubscriptionChanged;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The service's replica of tenants' entitlements, as subscriptions announced them, in its own schema's
 * {@code entitlements} table (each service that keeps one creates it, and {@code erased_tenants}, in a migration of
 * its own). Reads on the
 * reactive pool; writes in the inbox's transaction.
 */
@ApplicationScoped
public class EntitlementStore {

    private final Pool pool;
    private final ObjectMapper json;
    private final String find;
    private final int lockSpace;

    public EntitlementStore(Pool pool, ObjectMapper json, ServiceConfig service) {
        this.lockSpace = ErasureLocks.space(service.schema());
        this.pool = pool;
        this.json = json;
        this.find = "select tenant_id, plan, status, period_anchor, entitlements::text as entitlements from "
                + service.schema() + ".entitlements where tenant_id = any($1)";
    }

    /** The stored plans of those of {@code tenants} that have one. */
    public Uni<Map<UUID, TenantPlan>> find(Collection<UUID> tenants) {
        return pool.preparedQuery(find).execute(Tuple.of(tenants.toArray(UUID[]::new))).map(rows -> {
            Map<UUID, TenantPlan> plans = new HashMap<>();
            for (Row row : rows) {
                UUID tenant = row.getUUID("tenant_id");
                plans.put(tenant, new TenantPlan(tenant, row.getString("plan"), row.getString("status"),
                        row.getOffsetDateTime("period_anchor").toInstant(), read(row.getString("entitlements")), false));
            }
            return plans;
        });
    }

    /**
     * Stores what the event says unless a newer announcement was stored already (events may arrive out of order):
     * newer by the tenant's announcement count, or by time when either side was not counted; answers whether it
     * was stored. Nothing is stored for a tenant of the schema's {@code erased_tenants}.
     */
    public Uni<Boolean> store(Mutiny.Session session, SubscriptionChanged event, Instant anchor,
            Entitlements entitlements) {
        // the tenant's erasure lock first, in a statement of its own: an erasure marking it meanwhile is then seen
        return ErasureLocks.shared(session, lockSpace, List.of(event.tenantId())).chain(() -> session.createNativeQuery("""
                -- through text: the driver would send a String bound to jsonb as a JSON string value
                insert into {h-schema}entitlements (tenant_id, plan, status, period_anchor, entitlements, changed_at,
                    version)
                select :tenant, :plan, :status, :anchor, cast(cast(:entitlements as text) as jsonb), :changed, :version
                -- a tenant deleted by an erasure keeps nothing, whatever arrives late about it
                where not exists (select 1 from {h-schema}erased_tenants e where e.tenant_id = :tenant)
                on conflict (tenant_id) do update set plan = excluded.plan, status = excluded.status,
                    period_anchor = excluded.period_anchor, entitlements = excluded.entitlements,
                    changed_at = excluded.changed_at, version = excluded.version, updated_at = now()
                where case when entitlements.version = 0 or excluded.version = 0
                           -- a producer that did not count (a billing replica of an earlier release): by time
                           then entitlements.changed_at < excluded.changed_at
                           else entitlements.version < excluded.version end""")
                .setParameter("tenant", event.tenantId())
                .setParameter("plan", event.plan())
                .setParameter("status", event.status())
                .setParameter("anchor", OffsetDateTime.ofInstant(anchor, ZoneOffset.UTC))
                .setParameter("entitlements", write(entitlements))
                .setParameter("changed", OffsetDateTime.ofInstant(event.occurredAt(), ZoneOffset.UTC))
                .setParameter("version", event.version())
                .executeUpdate())
                .map(changed -> changed == 1);
    }

    private Entitlements read(String value) {
        try {
            return json.readValue(value, Entitlements.class);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("stored entitlements are unreadable", e);
        }
    }

    private String write(Entitlements entitlements) {
        try {
            return json.writeValueAsString(entitlements);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("entitlements cannot be written as JSON", e);
        }
    }
}

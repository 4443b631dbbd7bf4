package dev.tollgate.metering.ledger.repository;

import dev.tollgate.common.config.ServiceConfig;
import dev.tollgate.common.event.UsageRecorded;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.UUID;

/**
 * Writes a batch of usage events and their totals in one statement on the reactive PostgreSQL client: the
 * ledger insert skips event ids it already holds, and only the rows it really inserted are added to the totals.
 * One round trip per batch is what lets the ledger keep up with the gateway.
 */
@ApplicationScoped
public class LedgerRepository {

    static final UUID NO_USER = new UUID(0, 0);

    private static final String RECORD = """
            with incoming as (
                select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[],
                                     $7::jsonb[], $8::timestamptz[], $9::date[])
                    as t(event_id, tenant_id, user_id, source, model, subject_id, quantities, occurred_at, period_start)
            ), inserted as (
                insert into %1$s.usage_events
                    (event_id, tenant_id, user_id, source, model, subject_id, quantities, occurred_at, period_start)
                select * from incoming
                on conflict (event_id) do nothing
                returning tenant_id, period_start, coalesce(user_id, '%2$s'::uuid) as user_id, quantities
            ), totals as (
                insert into %1$s.usage_aggregates (tenant_id, period_start, user_id, metric, units)
                select i.tenant_id, i.period_start, i.user_id, q.key, sum(q.value::bigint)
                from inserted i, jsonb_each_text(i.quantities) q
                group by i.tenant_id, i.period_start, i.user_id, q.key
                on conflict (tenant_id, period_start, user_id, metric)
                    do update set units = %1$s.usage_aggregates.units + excluded.units, updated_at = now()
                returning 1
            )
            select (select count(*) from inserted) as recorded
            """;

    private final Pool pool;
    private final String sql;

    public LedgerRepository(Pool pool, ServiceConfig service) {
        this.pool = pool;
        this.sql = RECORD.formatted(service.schema(), NO_USER);
    }

    /** Records the events; answers how many were new (the rest had been recorded before). */
    public Uni<Integer> record(List<UsageRecorded> events) {
        int n = events.size();
        UUID[] ids = new UUID[n];
        UUID[] tenants = new UUID[n];
        UUID[] users = new UUID[n];
        String[] sources = new String[n];
        String[] models = new String[n];
        String[] subjects = new String[n];
        JsonObject[] quantities = new JsonObject[n];
        OffsetDateTime[] occurred = new OffsetDateTime[n];
        LocalDate[] periods = new LocalDate[n];
        for (int i = 0; i < n; i++) {
            UsageRecorded event = events.get(i);
            ids[i] = event.eventId();
            tenants[i] = event.tenantId();
            users[i] = event.userId();
            sources[i] = event.source();
            models[i] = event.model();
            subjects[i] = event.subjectId();
            quantities[i] = new JsonObject(new HashMap<String, Object>(event.quantities()));
            occurred[i] = event.occurredAt().atOffset(ZoneOffset.UTC);
            periods[i] = periodOf(event);
        }
        Tuple args = Tuple.tuple(Arrays.asList(ids, tenants, users, sources, models, subjects, quantities, occurred,
                periods));
        return pool.preparedQuery(sql).execute(args).map(rows -> rows.iterator().next().getInteger("recorded"));
    }

    /** The calendar month of the event, in UTC: the free tier's billing period. */
    static LocalDate periodOf(UsageRecorded event) {
        return event.occurredAt().atOffset(ZoneOffset.UTC).toLocalDate().withDayOfMonth(1);
    }
}

package dev.tollgate.metering.ledger.repository;

import dev.tollgate.common.config.ServiceConfig;
import dev.tollgate.common.erasure.ErasureLocks;
import dev.tollgate.common.event.UsageRecorded;
import dev.tollgate.metering.ledger.PeriodTotal;
import dev.tollgate.metering.ledger.TenantPeriod;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.UUID;

/**
 * Writes a batch of usage events and their totals in one statement on the reactive PostgreSQL client: the
 * ledger insert skips event ids it already holds, and only the rows it really inserted are added to the totals.
 * One statement per batch (after the batch's erasure locks) is what lets the ledger keep up with the gateway.
 */
@ApplicationScoped
public class LedgerRepository {

    /** The user of usage that belongs to no user (a service's own calls, an erased user's) in the totals. */
    public static final UUID NO_USER = new UUID(0, 0);

    private static final String RECORD = """
            with incoming as (
                select t.event_id, t.tenant_id,
                       -- usage of an erased user arrives without their id, as erasure left their earlier usage
                       case when x.user_id is null then t.user_id end as user_id, t.source, t.model,
                       case when x.user_id is null then t.subject_id end as subject_id,
                       t.quantities, t.occurred_at, t.period_start,
                       case when x.user_id is null then t.api_key_id end as api_key_id, t.end_user
                from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[],
                            $7::jsonb[], $8::timestamptz[], $9::timestamptz[], $10::uuid[], $11::text[])
                    as t(event_id, tenant_id, user_id, source, model, subject_id, quantities, occurred_at, period_start,
                         api_key_id, end_user)
                left join %1$s.erased_users x on x.user_id = t.user_id
                -- a tenant deleted by an erasure keeps nothing, whatever usage arrives late about it
                where not exists (select 1 from %1$s.erased_tenants e where e.tenant_id = t.tenant_id)
            ), inserted as (
                insert into %1$s.usage_events
                    (event_id, tenant_id, user_id, source, model, subject_id, quantities, occurred_at, period_start,
                     api_key_id, end_user)
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

    private static final String TOTALS = """
            select a.tenant_id, a.period_start, a.metric, sum(a.units)::bigint as used
            from %1$s.usage_aggregates a
            join unnest($1::uuid[], $2::timestamptz[]) as p(tenant_id, period_start)
                on a.tenant_id = p.tenant_id and a.period_start = p.period_start
            group by a.tenant_id, a.period_start, a.metric""";

    private static final String ACTIVE = """
            select distinct tenant_id, period_start from %1$s.usage_aggregates where period_start >= $1""";

    private final Pool pool;
    private final String sql;
    private final String totals;
    private final String active;
    private final int lockSpace;

    public LedgerRepository(Pool pool, ServiceConfig service) {
        this.lockSpace = ErasureLocks.space(service.schema());
        this.pool = pool;
        this.sql = RECORD.formatted(service.schema(), NO_USER);
        this.totals = TOTALS.formatted(service.schema());
        this.active = ACTIVE.formatted(service.schema());
    }

    /** The recorded totals of the given tenants' periods, per metric. */
    public Uni<List<PeriodTotal>> totals(Collection<TenantPeriod> periods) {
        UUID[] tenants = periods.stream().map(TenantPeriod::tenantId).toArray(UUID[]::new);
        OffsetDateTime[] starts = periods.stream().map(p -> p.periodStart().atOffset(ZoneOffset.UTC))
                .toArray(OffsetDateTime[]::new);
        return pool.preparedQuery(totals).execute(Tuple.of(tenants, starts)).map(rows -> {
            List<PeriodTotal> result = new ArrayList<>();
            for (Row row : rows) {
                result.add(new PeriodTotal(row.getUUID("tenant_id"), row.getOffsetDateTime("period_start").toInstant(),
                        row.getString("metric"), row.getLong("used")));
            }
            return result;
        });
    }

    /** Every tenant period with recorded usage that started at or after {@code since}. */
    public Uni<List<TenantPeriod>> periodsSince(Instant since) {
        return pool.preparedQuery(active).execute(Tuple.of(since.atOffset(ZoneOffset.UTC))).map(rows -> {
            List<TenantPeriod> result = new ArrayList<>();
            for (Row row : rows) {
                result.add(new TenantPeriod(row.getUUID("tenant_id"), row.getOffsetDateTime("period_start").toInstant()));
            }
            return result;
        });
    }

    /**
     * Records the events, each in the billing period given for it at the same index; answers how many were new
     * (the rest had been recorded before).
     */
    public Uni<Integer> record(List<UsageRecorded> events, List<Instant> periodStarts) {
        int n = events.size();
        UUID[] ids = new UUID[n];
        UUID[] tenants = new UUID[n];
        UUID[] users = new UUID[n];
        String[] sources = new String[n];
        String[] models = new String[n];
        String[] subjects = new String[n];
        JsonObject[] quantities = new JsonObject[n];
        OffsetDateTime[] occurred = new OffsetDateTime[n];
        OffsetDateTime[] periods = new OffsetDateTime[n];
        UUID[] keys = new UUID[n];
        String[] endUsers = new String[n];
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
            periods[i] = periodStarts.get(i).atOffset(ZoneOffset.UTC);
            keys[i] = event.apiKeyId();
            endUsers[i] = event.endUser();
        }
        Tuple args = Tuple.tuple(Arrays.asList(ids, tenants, users, sources, models, subjects, quantities, occurred,
                periods, keys, endUsers));
        // the batch's users and tenants are locked shared first, in a statement of its own, so an erasure marking
        // one of them is waited for and then seen by the insert, or waits for this batch to commit
        List<UUID> locked = new ArrayList<>(Arrays.asList(users));
        locked.addAll(Arrays.asList(tenants));
        Tuple stripes = Tuple.of(lockSpace, ErasureLocks.stripes(locked));
        return pool.withTransaction(connection -> connection.preparedQuery(ErasureLocks.SHARED).execute(stripes)
                .chain(() -> connection.preparedQuery(sql).execute(args)))
                .map(rows -> rows.iterator().next().getInteger("recorded"));
    }
}

package dev.tollgate.metering.usage.repository;

import dev.tollgate.common.config.ServiceConfig;
import dev.tollgate.metering.usage.Grouping;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/** Reads of the ledger for the usage API. Every query is bound to one tenant. */
@ApplicationScoped
public class UsageRepository {

    private static final String UNITS = """
            select metric, sum(units)::bigint as units from %1$s.usage_aggregates
            where tenant_id = $1 and period_start = $2 and ($3::uuid is null or user_id = $3)
            group by metric""";

    private static final String HISTORY = """
            select %2$s as key, q.key as metric, sum(q.value::bigint)::bigint as units
            from %1$s.usage_events e cross join lateral jsonb_each_text(e.quantities) q
            where e.tenant_id = $1 and e.occurred_at >= $2 and e.occurred_at < $3 and ($4::uuid is null or e.user_id = $4)
            group by 1, 2 order by 1, 2""";

    private final Pool pool;
    private final String units;
    private final Map<Grouping, String> history = new LinkedHashMap<>();

    public UsageRepository(Pool pool, ServiceConfig service) {
        this.pool = pool;
        this.units = UNITS.formatted(service.schema());
        history.put(Grouping.DAY, HISTORY.formatted(service.schema(),
                "to_char(e.occurred_at at time zone 'UTC', 'YYYY-MM-DD')"));
        history.put(Grouping.MODEL, HISTORY.formatted(service.schema(), "e.model"));
        history.put(Grouping.USER, HISTORY.formatted(service.schema(), "e.user_id::text"));
        history.put(Grouping.KEY, HISTORY.formatted(service.schema(), "e.api_key_id::text"));
        history.put(Grouping.END_USER, HISTORY.formatted(service.schema(), "e.end_user"));
    }

    /** Units per metric recorded in the tenant's period: all users', or {@code user}'s alone. */
    public Uni<Map<String, Long>> units(UUID tenant, Instant periodStart, UUID user) {
        return pool.preparedQuery(units).execute(Tuple.of(tenant, periodStart.atOffset(ZoneOffset.UTC), user))
                .map(rows -> {
                    Map<String, Long> result = new LinkedHashMap<>();
                    for (Row row : rows) {
                        result.put(row.getString("metric"), row.getLong("units"));
                    }
                    return result;
                });
    }

    /** One bucket of history: its key (a day, a model, a user id; null for none) and units per metric. */
    public record Bucket(String key, Map<String, Long> units) {
    }

    /** Units per metric of the usage that happened in {@code [from, to)}, grouped; {@code user}'s alone if given. */
    public Uni<List<Bucket>> history(UUID tenant, Instant from, Instant to, UUID user, Grouping grouping) {
        return pool.preparedQuery(history.get(grouping))
                .execute(Tuple.of(tenant, from.atOffset(ZoneOffset.UTC), to.atOffset(ZoneOffset.UTC), user))
                .map(rows -> {
                    List<Bucket> buckets = new ArrayList<>();
                    Bucket current = null;
                    for (Row row : rows) {
                        String key = row.getString("key");
                        if (current == null || !Objects.equals(current.key(), key)) {
                            current = new Bucket(key, new LinkedHashMap<>());
                            buckets.add(current);
                        }
                        current.units().put(row.getString("metric"), row.getLong("units"));
                    }
                    return buckets;
                });
    }
}

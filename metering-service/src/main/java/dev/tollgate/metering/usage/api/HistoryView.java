package dev.tollgate.metering.usage.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Usage in {@code [from, to)}, grouped by {@code groupBy}.
 *
 * @param user the only user whose usage is counted, or null for every user of the tenant (admins)
 * @param buckets one per day, model, user, API key or end user; {@code key} is null for usage without one (a
 *        session's call has no key, a request that named no user no end user; an erased user has no id)
 */
public record HistoryView(UUID tenantId, Instant from, Instant to, String groupBy, UUID user, List<Bucket> buckets) {

    public record Bucket(String key, Map<String, Long> units) {
    }
}

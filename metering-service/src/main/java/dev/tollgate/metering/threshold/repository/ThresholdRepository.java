package dev.tollgate.metering.threshold.repository;

import dev.tollgate.metering.ledger.PeriodTotal;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.hibernate.reactive.mutiny.Mutiny;

/** The thresholds already announced, one row per tenant, period, metric and percent. */
@ApplicationScoped
public class ThresholdRepository {

    /** A threshold that a total crossed. */
    public record Crossing(PeriodTotal total, int percent, long quota) {
        /** Tenant, period, metric and percent: what is announced once. */
        public String key() {
            return total.tenantId() + "/" + total.periodStart().toEpochMilli() + "/" + total.metric() + "/" + percent;
        }
    }

    /**
     * Records the crossings in one statement (instants go as text: Hibernate would hand the driver an array type
     * it refuses); answers those that had not been recorded before (the ones to
     * announce).
     */
    @SuppressWarnings("unchecked")
    public Uni<List<Crossing>> claim(Mutiny.Session session, List<Crossing> crossings) {
        int n = crossings.size();
        UUID[] tenants = new UUID[n];
        String[] periods = new String[n];
        String[] metrics = new String[n];
        Integer[] percents = new Integer[n];
        Long[] used = new Long[n];
        Long[] quotas = new Long[n];
        for (int i = 0; i < n; i++) {
            Crossing crossing = crossings.get(i);
            tenants[i] = crossing.total().tenantId();
            periods[i] = crossing.total().periodStart().toString();
            metrics[i] = crossing.total().metric();
            percents[i] = crossing.percent();
            used[i] = crossing.total().used();
            quotas[i] = crossing.quota();
        }
        return session.createNativeQuery("""
                insert into {h-schema}threshold_alerts (tenant_id, period_start, metric, percent, used, quota)
                select * from unnest(cast(:tenants as uuid[]), cast(cast(:periods as text[]) as timestamptz[]),
                                     cast(:metrics as varchar[]), cast(:percents as int[]),
                                     cast(:used as bigint[]), cast(:quotas as bigint[]))
                on conflict do nothing
                returning tenant_id, extract(epoch from period_start) * 1000, metric, percent""", Object[].class)
                .setParameter("tenants", tenants)
                .setParameter("periods", periods)
                .setParameter("metrics", metrics)
                .setParameter("percents", percents)
                .setParameter("used", used)
                .setParameter("quotas", quotas)
                .getResultList()
                .map(rows -> {
                    Set<String> claimed = new HashSet<>();
                    for (Object[] row : (List<Object[]>) (List<?>) rows) {
                        claimed.add(row[0] + "/" + ((Number) row[1]).longValue() + "/" + row[2] + "/" + row[3]);
                    }
                    List<Crossing> fresh = new ArrayList<>();
                    crossings.forEach(crossing -> {
                        if (claimed.contains(crossing.key())) {
                            fresh.add(crossing);
                        }
                    });
                    return fresh;
                });
    }
}

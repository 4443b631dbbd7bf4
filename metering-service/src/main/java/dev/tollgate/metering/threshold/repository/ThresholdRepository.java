package dev.tollgate.metering.threshold.repository;

import dev.tollgate.metering.ledger.PeriodTotal;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.ZoneOffset;
import org.hibernate.reactive.mutiny.Mutiny;

/** The thresholds already announced, one row per tenant, period, metric and percent. */
@ApplicationScoped
public class ThresholdRepository {

    /** Records that the threshold was crossed; answers false when it had been recorded before. */
    public Uni<Boolean> claim(Mutiny.Session session, PeriodTotal total, int percent, long quota) {
        return session.createNativeQuery("""
                        insert into {h-schema}threshold_alerts (tenant_id, period_start, metric, percent, used, quota)
                        values (:tenant, :period, :metric, :percent, :used, :quota) on conflict do nothing""")
                .setParameter("tenant", total.tenantId())
                .setParameter("period", total.periodStart().atOffset(ZoneOffset.UTC))
                .setParameter("metric", total.metric())
                .setParameter("percent", percent)
                .setParameter("used", total.used())
                .setParameter("quota", quota)
                .executeUpdate()
                .map(inserted -> inserted == 1);
    }
}

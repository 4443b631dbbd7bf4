package dev.tollgate.metering.threshold;

import dev.tollgate.common.event.ThresholdCrossed;
import dev.tollgate.common.gate.BillingPeriod;
import dev.tollgate.common.outbox.Outbox;
import dev.tollgate.metering.entitlement.TenantPlan;
import dev.tollgate.metering.ledger.PeriodTotal;
import dev.tollgate.metering.ledger.TenantPeriod;
import dev.tollgate.metering.ledger.repository.LedgerRepository;
import dev.tollgate.metering.threshold.repository.ThresholdRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Announces {@code threshold.crossed} when a tenant's recorded usage of a metric reaches 80% and 100% of its
 * quota: once per tenant, billing period, metric and threshold, in the transaction that records the
 * announcement. Checked after each ledger batch and by the reconciliation job, so an announcement a crash
 * interrupted is made on the next pass.
 */
@ApplicationScoped
public class CheckThresholds {

    static final int[] PERCENTS = {80, 100};
    private static final Logger LOG = Logger.getLogger(CheckThresholds.class);
    private static final int REMEMBERED = 100_000;

    private final LedgerRepository ledger;
    private final ThresholdRepository repository;
    private final Outbox outbox;
    private final MeterRegistry registry;
    /** Thresholds this replica knows were announced, so that busy tenants past 80% cost no transaction per batch. */
    private final Set<String> announced = ConcurrentHashMap.newKeySet();

    public CheckThresholds(LedgerRepository ledger, ThresholdRepository repository, Outbox outbox,
                           MeterRegistry registry) {
        this.ledger = ledger;
        this.repository = repository;
        this.outbox = outbox;
        this.registry = registry;
    }

    public Uni<Void> check(Collection<TenantPeriod> periods, Map<UUID, TenantPlan> plans) {
        if (periods.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return ledger.totals(periods).chain(totals -> check(totals, plans));
    }

    /** Announces the thresholds that {@code totals} cross and that were not announced before. */
    public Uni<Void> check(List<PeriodTotal> totals, Map<UUID, TenantPlan> plans) {
        List<Crossing> crossings = new ArrayList<>();
        for (PeriodTotal total : totals) {
            TenantPlan plan = plans.get(total.tenantId());
            Long quota = plan == null ? null : plan.entitlements().monthlyQuotas().get(total.metric());
            if (quota == null || quota <= 0) {
                continue;
            }
            for (int percent : PERCENTS) {
                if (total.used() * 100 >= percent * quota && !announced.contains(key(total, percent))) {
                    crossings.add(new Crossing(total, percent, quota, plan));
                }
            }
        }
        return crossings.isEmpty() ? Uni.createFrom().voidItem() : announce(crossings);
    }

    private Uni<Void> announce(List<Crossing> crossings) {
        return Panache.withTransaction(() -> Panache.getSession().chain(session -> {
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (Crossing crossing : crossings) {
                chain = chain.chain(() -> repository.claim(session, crossing.total(), crossing.percent(), crossing.quota())
                        .chain(claimed -> claimed ? outbox.append(crossing.event()).invoke(() -> log(crossing))
                                : Uni.createFrom().voidItem()));
            }
            return chain;
        })).invoke(() -> {
            if (announced.size() > REMEMBERED) {
                announced.clear();
            }
            crossings.forEach(crossing -> announced.add(key(crossing.total(), crossing.percent())));
        });
    }

    private void log(Crossing crossing) {
        registry.counter("tollgate.quota.thresholds.crossed", "percent", String.valueOf(crossing.percent())).increment();
        LOG.infof("thresholds: tenant %s used %d of %d %s (%d%%) in the period from %s", crossing.total().tenantId(),
                crossing.total().used(), crossing.quota(), crossing.total().metric(), crossing.percent(),
                crossing.total().periodStart());
    }

    private static String key(PeriodTotal total, int percent) {
        return total.tenantId() + "/" + total.periodStart() + "/" + total.metric() + "/" + percent;
    }

    private record Crossing(PeriodTotal total, int percent, long quota, TenantPlan plan) {
        ThresholdCrossed event() {
            BillingPeriod period = plan.period(total.periodStart());
            return ThresholdCrossed.of(total.tenantId(), plan.plan(), total.metric(), percent, total.used(), quota,
                    total.periodStart(), period.end());
        }
    }
}

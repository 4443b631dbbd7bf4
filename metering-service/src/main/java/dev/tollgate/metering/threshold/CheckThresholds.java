package dev.tollgate.metering.threshold;

import dev.tollgate.common.event.ThresholdCrossed;
import dev.tollgate.common.outbox.Outbox;
import dev.tollgate.common.plan.BillingPeriod;
import dev.tollgate.common.plan.TenantPlan;
import dev.tollgate.common.plan.TenantPlans;
import dev.tollgate.metering.ledger.LedgerBatchRecorded;
import dev.tollgate.metering.ledger.PeriodTotal;
import dev.tollgate.metering.ledger.TenantPeriod;
import dev.tollgate.metering.ledger.repository.LedgerRepository;
import dev.tollgate.metering.threshold.repository.ThresholdRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Announces {@code threshold.crossed} when a tenant's recorded usage of a metric reaches 80% and 100% of its
 * quota: once per tenant, billing period, metric and threshold, in the transaction that records the
 * announcement. The ledger hands over the periods each batch touched and goes on; they are checked together
 * every {@code tollgate.metering.thresholds-every} (1 s), so checks never hold back ingestion. The
 * reconciliation pass checks every current period again, so an announcement a crash interrupted is made then.
 */
@ApplicationScoped
public class CheckThresholds {

    static final int[] PERCENTS = { 80, 100 };
    private static final Logger LOG = Logger.getLogger(CheckThresholds.class);
    private static final int REMEMBERED = 100_000;

    private final LedgerRepository ledger;
    private final ThresholdRepository repository;
    private final Outbox outbox;
    private final MeterRegistry registry;
    /** Thresholds this replica knows were announced, so that busy tenants past 80% cost no transaction per batch. */
    private final Set<String> announced = ConcurrentHashMap.newKeySet();

    /** Periods touched by ledger batches since the last check. */
    private final Set<TenantPeriod> pending = ConcurrentHashMap.newKeySet();
    private final TenantPlans plans;

    public CheckThresholds(LedgerRepository ledger, ThresholdRepository repository, Outbox outbox, TenantPlans plans,
            MeterRegistry registry) {
        this.ledger = ledger;
        this.plans = plans;
        this.repository = repository;
        this.outbox = outbox;
        this.registry = registry;
    }

    /** Notes periods whose totals a ledger batch changed; the next check looks at them. */
    void touched(@Observes LedgerBatchRecorded batch) {
        pending.addAll(batch.periods());
    }

    @Scheduled(every = "${tollgate.metering.thresholds-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> checkTouched() {
        if (pending.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<TenantPeriod> periods = new ArrayList<>(pending);
        pending.removeAll(periods);
        return plans.of(periods.stream().map(TenantPeriod::tenantId).collect(Collectors.toSet()))
                .chain(tenantPlans -> check(periods, tenantPlans))
                .onFailure().invoke(e -> {
                    // put them back: the next check tries again
                    pending.addAll(periods);
                    LOG.warnf("thresholds: checking %d periods failed, retrying: %s", periods.size(), e.getMessage());
                })
                .onFailure().recoverWithNull();
    }

    public Uni<Void> check(Collection<TenantPeriod> periods, Map<UUID, TenantPlan> plans) {
        if (periods.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return ledger.totals(periods).chain(totals -> check(totals, plans));
    }

    /** Announces the thresholds that {@code totals} cross and that were not announced before. */
    public Uni<Void> check(List<PeriodTotal> totals, Map<UUID, TenantPlan> plans) {
        List<ThresholdRepository.Crossing> crossings = new ArrayList<>();
        for (PeriodTotal total : totals) {
            TenantPlan plan = plans.get(total.tenantId());
            Long quota = plan == null ? null : plan.entitlements().monthlyQuotas().get(total.metric());
            if (quota == null || quota <= 0) {
                continue;
            }
            for (int percent : PERCENTS) {
                ThresholdRepository.Crossing crossing = new ThresholdRepository.Crossing(total, percent, quota);
                if (total.used() * 100 >= percent * quota && !announced.contains(crossing.key())) {
                    crossings.add(crossing);
                }
            }
        }
        return crossings.isEmpty() ? Uni.createFrom().voidItem() : announce(crossings, plans);
    }

    /** Claims the crossings in one statement and announces those no one announced before, in one transaction. */
    private Uni<Void> announce(List<ThresholdRepository.Crossing> crossings, Map<UUID, TenantPlan> plans) {
        return Panache.withTransaction(() -> Panache.getSession()
                .chain(session -> repository.claim(session, crossings))
                .chain(fresh -> {
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (ThresholdRepository.Crossing crossing : fresh) {
                        TenantPlan plan = plans.get(crossing.total().tenantId());
                        chain = chain.chain(() -> outbox.append(event(crossing, plan)).invoke(() -> log(crossing)));
                    }
                    return chain;
                }))
                .invoke(() -> {
                    if (announced.size() > REMEMBERED) {
                        announced.clear();
                    }
                    crossings.forEach(crossing -> announced.add(crossing.key()));
                });
    }

    private static ThresholdCrossed event(ThresholdRepository.Crossing crossing, TenantPlan plan) {
        PeriodTotal total = crossing.total();
        BillingPeriod period = plan.period(total.periodStart());
        return ThresholdCrossed.of(total.tenantId(), plan.plan(), total.metric(), crossing.percent(), total.used(),
                crossing.quota(), total.periodStart(), period.end());
    }

    private void log(ThresholdRepository.Crossing crossing) {
        registry.counter("tollgate.quota.thresholds.crossed", "percent", String.valueOf(crossing.percent())).increment();
        LOG.infof("thresholds: tenant %s used %d of %d %s (%d%%) in the period from %s", crossing.total().tenantId(),
                crossing.total().used(), crossing.quota(), crossing.total().metric(), crossing.percent(),
                crossing.total().periodStart());
    }
}

package dev.tollgate.metering.reconcile;

import dev.tollgate.common.plan.BillingPeriod;
import dev.tollgate.common.plan.TenantPlan;
import dev.tollgate.common.plan.TenantPlans;
import dev.tollgate.gate.QuotaGate;
import dev.tollgate.metering.ledger.PeriodTotal;
import dev.tollgate.metering.ledger.TenantPeriod;
import dev.tollgate.metering.ledger.repository.LedgerRepository;
import dev.tollgate.metering.threshold.CheckThresholds;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Compares the gate's quota counters in Redis with the ledger, for every tenant's current billing period, and
 * corrects them. A counter behind the ledger (Redis restarted or was flushed and lost units) is raised at once;
 * one ahead of the ledger is lowered only when the same gap was found on the previous pass too, since usage
 * settled in Redis but still on its way to the ledger explains a passing gap. Every replica may run it: the
 * comparison and the correction are one script, so two passes never correct twice. It also announces thresholds
 * a crash kept from being announced.
 */
@ApplicationScoped
public class ReconcileCounters {

    private static final Logger LOG = Logger.getLogger(ReconcileCounters.class);
    /** The longest billing period: a current period started no longer ago than this. */
    private static final Duration LONGEST_PERIOD = Duration.ofDays(31);

    private final LedgerRepository ledger;
    private final TenantPlans plans;
    private final QuotaGate gate;
    private final CheckThresholds thresholds;
    private final MeterRegistry registry;
    private final AtomicLong lastDrift = new AtomicLong();
    /** Gaps where Redis was ahead of the ledger on the last pass, by counter. */
    private volatile Map<String, Long> aheadBefore = Map.of();

    public ReconcileCounters(LedgerRepository ledger, TenantPlans plans, QuotaGate gate, CheckThresholds thresholds,
            MeterRegistry registry) {
        this.ledger = ledger;
        this.plans = plans;
        this.gate = gate;
        this.thresholds = thresholds;
        this.registry = registry;
        registry.gauge("tollgate.quota.drift.units", lastDrift);
    }

    @Scheduled(every = "${tollgate.metering.reconcile-every}", delayed = "${tollgate.metering.reconcile-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return reconcile().onFailure().invoke(e -> LOG.warnf("reconcile: pass failed, next pass will retry: %s",
                e.getMessage())).onFailure().recoverWithNull().replaceWithVoid();
    }

    /** One pass; answers the total drift found, in units, before corrections. */
    public Uni<Long> reconcile() {
        Instant now = Instant.now();
        return ledger.periodsSince(now.minus(LONGEST_PERIOD))
                .chain(periods -> plans.of(periods.stream().map(TenantPeriod::tenantId).collect(Collectors.toSet()))
                        .chain(tenantPlans -> {
                            Set<TenantPeriod> current = periods.stream()
                                    .filter(p -> tenantPlans.get(p.tenantId()).period(now).start().equals(p.periodStart()))
                                    .collect(Collectors.toSet());
                            return current.isEmpty() ? Uni.createFrom().item(0L)
                                    : ledger.totals(current).chain(totals -> correct(totals, tenantPlans, now)
                                            .call(() -> thresholds.check(totals, tenantPlans)));
                        }))
                .invoke(drift -> {
                    lastDrift.set(drift);
                    registry.counter("tollgate.quota.reconcile.passes").increment();
                });
    }

    private Uni<Long> correct(List<PeriodTotal> totals, Map<UUID, TenantPlan> tenantPlans, Instant now) {
        Map<String, Long> aheadNow = new ConcurrentHashMap<>();
        return Multi.createFrom().iterable(totals)
                .onItem().transformToUni(total -> correct(total, tenantPlans.get(total.tenantId()).period(now), aheadNow))
                .merge(8)
                .collect().with(Collectors.summingLong(Math::abs))
                .invoke(() -> aheadBefore = aheadNow);
    }

    private Uni<Long> correct(PeriodTotal total, BillingPeriod period, Map<String, Long> aheadNow) {
        String key = total.tenantId() + "/" + period.id() + "/" + total.metric();
        Long before = aheadBefore.get(key);
        return gate.reconcile(total.tenantId(), period.id(), period.end(), total.metric(), total.used(), false)
                .chain(found -> found.drift() < 0 && before != null && before == found.drift()
                        ? gate.reconcile(total.tenantId(), period.id(), period.end(), total.metric(), total.used(), true)
                        : Uni.createFrom().item(found))
                .map(found -> {
                    long drift = found.drift();
                    if (drift < 0 && (before == null || before != drift)) {
                        aheadNow.put(key, drift);
                    }
                    if (drift != 0) {
                        boolean corrected = drift > 0 || (before != null && before == drift);
                        registry.counter("tollgate.quota.drift.corrections", "direction", drift > 0 ? "up" : "down",
                                "outcome", corrected ? "corrected" : "watched").increment();
                        LOG.infof("reconcile: tenant %s %s in the period from %s: Redis %d (%d held), ledger %d, "
                                + "drift %+d%s", total.tenantId(), total.metric(), period.start(), found.counter(),
                                found.held(), total.used(), drift, corrected ? ", corrected" : ", watched until the next pass");
                    }
                    return drift;
                });
    }
}

package dev.tollgate.metering.reconcile;

import dev.tollgate.common.plan.BillingPeriod;
import dev.tollgate.common.plan.TenantPlan;
import dev.tollgate.common.plan.TenantPlans;
import dev.tollgate.gate.QuotaGate;
import dev.tollgate.metering.config.MeteringConfig;
import dev.tollgate.metering.ledger.LedgerLag;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Compares the gate's quota counters in Redis with the ledger, for every tenant's current billing period, and
 * corrects them. What is known to be used is the larger of the ledger's total and the units settled in Redis (usage
 * settled but still on its way to the ledger counts, so a lagging ledger never lowers a counter): a counter behind it
 * (Redis restarted or was flushed and lost units) is raised, one ahead of it and its live holds (units of a hold
 * nobody will settle) is lowered. Every replica may run it: each comparison and correction is one script, so two
 * passes never correct twice. It also announces thresholds a crash kept from being announced.
 * <p>
 * A Redis that comes back empty would admit everyone until the next pass: every second this looks for the gate's
 * epoch marker ({@link QuotaGate#EPOCH_KEY}); when it is missing, a pass runs as soon as the ledger has recorded
 * what was published ({@link LedgerLag}) and then writes it, and until then the gates refuse quota decisions
 * ({@code tollgate.gate.await-counter-rebuild}).
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
    private final LedgerLag lag;
    private final MeteringConfig config;

    public ReconcileCounters(LedgerRepository ledger, TenantPlans plans, QuotaGate gate, CheckThresholds thresholds,
            MeterRegistry registry, LedgerLag lag, MeteringConfig config) {
        this.ledger = ledger;
        this.lag = lag;
        this.config = config;
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

    /** A Redis without the epoch marker (new, or back empty): every counter is rebuilt now, then it is marked. */
    @Scheduled(identity = "counter-epoch", every = "${tollgate.metering.epoch-check-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> rebuildIfEmptied() {
        return gate.rebuilt().chain(rebuilt -> {
            if (rebuilt) {
                return Uni.createFrom().voidItem();
            }
            LOG.warnf("reconcile: Redis holds no %s (it is new, or came back empty): rebuilding every quota counter "
                    + "of the current periods from the ledger once it has recorded what was published; quota "
                    + "decisions wait until then", QuotaGate.EPOCH_KEY);
            long started = System.nanoTime();
            return lag.awaitCaughtUp(config.rebuildWaitsForLedger()).invoke(behind -> {
                if (behind != 0) {
                    LOG.warnf("reconcile: the ledger %s; the counters are rebuilt from what it holds, and raised as "
                            + "it catches up",
                            behind < 0 ? "cannot be compared with Kafka"
                                    : "is still " + behind
                                            + " usage events behind");
                }
            }).chain(this::reconcile)
                    .onFailure().invoke(e -> LOG.warnf("reconcile: rebuilding the counters failed, tried again in a "
                            + "second: %s", e.toString()))
                    .chain(drift -> gate.markRebuilt(UUID.randomUUID().toString()).invoke(() -> {
                        registry.counter("tollgate.quota.rebuilds").increment();
                        LOG.infof("reconcile: quota counters rebuilt from the ledger (%d units restored) in %d ms; quota "
                                + "decisions go on", drift, (System.nanoTime() - started) / 1_000_000);
                    }));
        }).onFailure().invoke(e -> LOG.debugf("reconcile: the epoch could not be checked or marked: %s",
                e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** One pass; answers the total drift corrected, in units. */
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
        return Multi.createFrom().iterable(totals)
                .onItem().transformToUni(total -> correct(total, tenantPlans.get(total.tenantId()).period(now)))
                .merge(8)
                .collect().with(Collectors.summingLong(Math::abs));
    }

    private Uni<Long> correct(PeriodTotal total, BillingPeriod period) {
        return gate.reconcile(total.tenantId(), period.id(), period.end(), total.metric(), total.used())
                .map(found -> {
                    long drift = found.drift();
                    if (drift != 0) {
                        registry.counter("tollgate.quota.drift.corrections", "direction", drift > 0 ? "up" : "down")
                                .increment();
                        LOG.infof("reconcile: tenant %s %s in the period from %s: Redis %d (%d held), settled %d, "
                                + "ledger %d: corrected by %+d%s", total.tenantId(), total.metric(), period.start(),
                                found.counter(), found.held(), found.settled(), total.used(), drift,
                                drift > 0 ? " (Redis had lost units)" : " (units held for calls that never settled)");
                    }
                    return drift;
                });
    }
}

package dev.tollgate.billing.subscription;

import dev.tollgate.billing.plan.PlanCatalog;
import dev.tollgate.billing.subscription.repository.SubscriptionRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Moves tenants whose payment grace period ran out with the invoice still unpaid to the free plan, announcing
 * it; a later {@code invoice.paid} gives the plan back. Every replica runs it; a row is taken by one.
 */
@ApplicationScoped
public class EndGracePeriods {

    private static final Logger LOG = Logger.getLogger(EndGracePeriods.class);
    private static final int BATCH = 100;

    private final SubscriptionRepository subscriptions;
    private final SyncSubscription sync;
    private final PlanCatalog catalog;

    public EndGracePeriods(SubscriptionRepository subscriptions, SyncSubscription sync, PlanCatalog catalog) {
        this.subscriptions = subscriptions;
        this.sync = sync;
        this.catalog = catalog;
    }

    @Scheduled(identity = "billing-grace-periods", every = "${tollgate.billing.grace-check-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> run() {
        return Panache.withTransaction(() -> subscriptions.graceRunOut(Instant.now(), catalog.free().name(), BATCH)
                .chain(due -> Multi.createFrom().iterable(due).onItem().transformToUniAndConcatenate(sync::graceEnded)
                        .collect().asList()))
                .invoke(ended -> {
                    if (!ended.isEmpty()) {
                        LOG.infof("billing: %d tenants moved to the free plan at the end of their payment grace", ended.size());
                    }
                })
                .onFailure()
                .invoke(e -> LOG.warnf("billing: ending grace periods failed, tried again on the next pass: %s", e.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }
}

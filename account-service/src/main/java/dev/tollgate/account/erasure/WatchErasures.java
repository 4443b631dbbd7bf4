package dev.tollgate.account.erasure;

import dev.tollgate.account.config.AccountConfig;
import dev.tollgate.account.erasure.repository.DeletionRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Watches erasures that not every service has receipted by their deadline: the gauge
 * {@code tollgate_account_erasures_overdue} counts them, and each is logged once as an alert naming the services
 * still missing. The requests and receipts live in the database and Kafka keeps the events, so the saga goes on
 * across restarts: a service that was down receipts once it is back.
 */
@ApplicationScoped
public class WatchErasures {

    private static final Logger LOG = Logger.getLogger(WatchErasures.class);

    private final DeletionRepository deletions;
    private final AccountConfig config;
    private final AtomicLong overdue = new AtomicLong();

    public WatchErasures(DeletionRepository deletions, AccountConfig config, MeterRegistry registry) {
        this.deletions = deletions;
        this.config = config;
        registry.gauge("tollgate.account.erasures.overdue", overdue);
    }

    @Scheduled(identity = "erasure-deadlines", every = "${tollgate.account.erasure.check-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> check() {
        return Panache.withTransaction(() -> deletions.overdue(Instant.now()).call(late -> {
            overdue.set(late.size());
            List<DeletionRequest> unreported = late.stream().filter(request -> request.overdueAlertedAt == null).toList();
            return Multi.createFrom().iterable(unreported).onItem().transformToUniAndConcatenate(this::alert)
                    .collect().asList();
        }))
                .onFailure()
                .invoke(e -> LOG.warnf("erasure: the deadline check failed, tried again on the next pass: %s", e.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private Uni<Void> alert(DeletionRequest request) {
        return deletions.receipts(request.id).invoke(receipts -> {
            Set<String> received = receipts.stream().map(receipt -> receipt.service).collect(Collectors.toSet());
            List<String> missing = config.erasure().services().stream().filter(service -> !received.contains(service)).toList();
            LOG.errorf("alert: erasure %s of user %s is overdue (deadline %s): no receipt yet from %s", request.id,
                    request.userId, request.deadlineAt, missing);
            request.overdueAlertedAt = Instant.now();
        }).replaceWithVoid();
    }
}

package dev.tollgate.account.erasure;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.account.config.AccountConfig;
import dev.tollgate.account.erasure.repository.DeletionRepository;
import dev.tollgate.account.notification.Notify;
import dev.tollgate.common.event.AccountPurged;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Records a service's receipt ({@code account.purged}) against its erasure request, once per service; the request
 * is complete when every service of {@code tollgate.account.erasure.services} has receipted it. Runs inside the
 * inbox's transaction.
 */
@ApplicationScoped
public class RecordReceipt {

    private static final Logger LOG = Logger.getLogger(RecordReceipt.class);

    private final Notify notify;
    private final DeletionRepository deletions;
    private final AccountConfig config;
    private final ObjectMapper json;
    private final MeterRegistry registry;

    public RecordReceipt(DeletionRepository deletions, AccountConfig config, ObjectMapper json, MeterRegistry registry,
            Notify notify) {
        this.notify = notify;
        this.deletions = deletions;
        this.config = config;
        this.json = json;
        this.registry = registry;
    }

    public Uni<Void> record(AccountPurged purged) {
        return deletions.locked(purged.deletionId()).chain(request -> {
            if (request == null) {
                LOG.debugf("erasure: a receipt from %s names deletion %s, which was not asked for here",
                        purged.service(), purged.deletionId());
                return Uni.createFrom().voidItem();
            }
            return DeletionReceipt.<DeletionReceipt> findById(new DeletionReceipt.Key(request.id, purged.service()))
                    .chain(known -> known != null ? Uni.createFrom().voidItem() : store(purged))
                    .chain(() -> deletions.receipts(request.id))
                    .call(receipts -> {
                        Set<String> received = receipts.stream().map(receipt -> receipt.service).collect(Collectors.toSet());
                        LOG.infof("audit: deletion %s: %s erased %s", request.id, purged.service(), purged.counts());
                        if (request.completedAt == null && received.containsAll(config.erasure().services())) {
                            request.completedAt = Instant.now();
                            registry.counter("tollgate.account.erasures", "outcome", "completed").increment();
                            registry.timer("tollgate.account.erasure.duration")
                                    .record(Duration.between(request.requestedAt, request.completedAt));
                            LOG.infof("audit: deletion %s of user %s is complete: every service receipted it",
                                    request.id, request.userId);
                            return completed(request);
                        }
                        return Uni.createFrom().voidItem();
                    })
                    .replaceWithVoid();
        });
    }

    /** Tells the user, at the address captured when they asked, that the erasure is done; then forgets it. */
    private Uni<Void> completed(DeletionRequest request) {
        String to = request.contactEmail;
        if (to == null) {
            return Uni.createFrom().voidItem();
        }
        return notify.once("erasure-complete:" + request.id, "erasure-complete", null, to,
                "Your Tollgate account is deleted",
                "Every Tollgate service has erased your data (deletion " + request.id + "). This is the last "
                        + "mail you get from us; we no longer hold your address.")
                .invoke(() -> request.contactEmail = null);
    }

    private Uni<Void> store(AccountPurged purged) {
        return DeletionReceipt.of(purged.deletionId(), purged.service(), purged.counts(), json).persist().replaceWithVoid();
    }
}

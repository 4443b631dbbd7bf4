package dev.tollgate.account.erasure;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.account.config.AccountConfig;
import dev.tollgate.account.erasure.repository.DeletionRepository;
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

    private final DeletionRepository deletions;
    private final AccountConfig config;
    private final ObjectMapper json;
    private final MeterRegistry registry;

    public RecordReceipt(DeletionRepository deletions, AccountConfig config, ObjectMapper json, MeterRegistry registry) {
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
            return DeletionReceipt.<DeletionReceipt>findById(new DeletionReceipt.Key(request.id, purged.service()))
                    .chain(known -> known != null ? Uni.createFrom().voidItem() : store(purged))
                    .chain(() -> deletions.receipts(request.id))
                    .invoke(receipts -> {
                        Set<String> received = receipts.stream().map(receipt -> receipt.service).collect(Collectors.toSet());
                        LOG.infof("audit: deletion %s: %s erased %s", request.id, purged.service(), purged.counts());
                        if (request.completedAt == null && received.containsAll(config.erasure().services())) {
                            request.completedAt = Instant.now();
                            registry.counter("tollgate.account.erasures", "outcome", "completed").increment();
                            registry.timer("tollgate.account.erasure.duration")
                                    .record(Duration.between(request.requestedAt, request.completedAt));
                            LOG.infof("audit: deletion %s of user %s is complete: every service receipted it",
                                    request.id, request.userId);
                        }
                    })
                    .replaceWithVoid();
        });
    }

    private Uni<Void> store(AccountPurged purged) {
        return DeletionReceipt.of(purged.deletionId(), purged.service(), purged.counts(), json).persist().replaceWithVoid();
    }
}

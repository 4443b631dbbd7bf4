package dev.tollgate.account.erasure;

import dev.tollgate.account.config.AccountConfig;
import dev.tollgate.account.erasure.repository.DeletionRepository;
import dev.tollgate.common.error.Problems;
import dev.tollgate.common.event.AccountDeleted;
import dev.tollgate.common.outbox.Outbox;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Sends a stalled erasure again to the services that have not receipted it: {@code account.deleted} with the same
 * deletion id and tenants, addressed to them only, as a new event (an inbox would skip the old one). A service that
 * applied it already receipts it again; one that lost it, or whose consumer skipped it, applies it now. Automatic
 * every {@code tollgate.account.erasure.redrive-after} while the erasure is incomplete, and on an operator's request
 * ({@code POST /account/operator/erasures/{id}/redrive}).
 */
@ApplicationScoped
public class RedriveErasures {

    private static final Logger LOG = Logger.getLogger(RedriveErasures.class);

    /** An open erasure as an operator sees it. */
    public record OpenErasure(UUID id, UUID userId, String status, Instant requestedAt, Instant deadlineAt,
            List<UUID> tenantsDeleted, List<String> missing, int redrives, Instant redrivenAt) {
    }

    private final DeletionRepository deletions;
    private final AccountConfig config;
    private final Outbox outbox;
    private final MeterRegistry registry;

    public RedriveErasures(DeletionRepository deletions, AccountConfig config, Outbox outbox, MeterRegistry registry) {
        this.deletions = deletions;
        this.config = config;
        this.outbox = outbox;
        this.registry = registry;
    }

    @Scheduled(identity = "erasure-redrive", every = "${tollgate.account.erasure.check-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> redriveStalled() {
        Instant before = Instant.now().minus(config.erasure().redriveAfter());
        return Panache.withSession(() -> deletions.stalled(before))
                .chain(stalled -> Multi.createFrom().iterable(stalled).onItem()
                        .transformToUniAndConcatenate(request -> redrive(request.id, before, "automatic")
                                .onFailure().invoke(e -> LOG.warnf("erasure: deletion %s could not be sent again now "
                                        + "(%s); tried on the next pass", request.id, e.toString()))
                                .onFailure().recoverWithNull())
                        .collect().asList())
                .onFailure().invoke(e -> LOG.warnf("erasure: the look for stalled erasures failed, tried again on the "
                        + "next pass: %s", e.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** The open erasures, oldest first, with the services each still waits for. */
    public Uni<List<OpenErasure>> open() {
        return Panache.withSession(() -> deletions.open().chain(requests -> Multi.createFrom().iterable(requests)
                .onItem().transformToUniAndConcatenate(this::view).collect().asList()));
    }

    private Uni<OpenErasure> view(DeletionRequest request) {
        return missing(request).chain(missing -> deletions.tenantsOf(request.id).map(tenants -> new OpenErasure(
                request.id, request.userId, request.completedAt != null ? "complete"
                        : Instant.now().isAfter(request.deadlineAt) ? "overdue" : "pending",
                request.requestedAt, request.deadlineAt, tenants, missing, request.redrives, request.redrivenAt)));
    }

    /** Sends the erasure again now to the services still missing, for an operator: what it looks like then. */
    public Uni<OpenErasure> redriveNow(UUID id, UUID operator) {
        return redrive(id, Instant.MAX, "by operator " + operator).chain(sent -> {
            if (!sent) {
                throw Problems.builder(Response.Status.CONFLICT, "erasure-complete", "Erasure Complete")
                        .withDetail("deletion " + id + " has every receipt; there is nothing to send again").build();
            }
            return Panache.withSession(() -> deletions.findById(id).chain(this::view));
        });
    }

    /**
     * Sends request {@code id} again if it is incomplete and was not sent (or asked) after {@code before}; answers
     * whether it was sent. The request's row is locked, so two replicas never send it twice for one pass.
     */
    private Uni<Boolean> redrive(UUID id, Instant before, String why) {
        return Panache.withTransaction(() -> deletions.locked(id).chain(request -> {
            if (request == null) {
                throw Problems.notFound("deletion", id);
            }
            Instant last = request.redrivenAt != null ? request.redrivenAt : request.requestedAt;
            if (request.completedAt != null || !last.isBefore(before)) {
                return Uni.createFrom().item(false);
            }
            return missing(request).chain(missing -> missing.isEmpty() ? Uni.createFrom().item(false)
                    : deletions.tenantsOf(id).chain(tenants -> {
                        // a request recorded before scopes were fixed goes again as it went: auth-service decides
                        AccountDeleted again = request.scoped
                                ? AccountDeleted.of(request.tenantId, request.id, request.userId, tenants)
                                        .resentTo(missing)
                                : AccountDeleted.unscoped(request.tenantId, request.id, request.userId,
                                        request.tenantDeleted, missing);
                        request.redrives++;
                        request.redrivenAt = Instant.now();
                        registry.counter("tollgate.account.erasures", "outcome", "redriven").increment();
                        LOG.warnf("erasure: deletion %s of user %s sent again (%s, time %d) to %s, which have not "
                                + "receipted it", id, request.userId, why, request.redrives, missing);
                        return outbox.append(again).replaceWith(true);
                    }));
        }));
    }

    /** The services whose receipt the request still waits for (account receipts its own part when asked). */
    private Uni<List<String>> missing(DeletionRequest request) {
        return deletions.receipts(request.id).map(receipts -> {
            Set<String> received = receipts.stream().map(receipt -> receipt.service).collect(Collectors.toSet());
            return config.erasure().services().stream().filter(service -> !received.contains(service)).toList();
        });
    }
}

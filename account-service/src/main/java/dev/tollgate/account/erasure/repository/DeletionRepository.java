package dev.tollgate.account.erasure.repository;

import dev.tollgate.account.erasure.DeletionReceipt;
import dev.tollgate.account.erasure.DeletionRequest;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Erasure requests and their receipts. */
@ApplicationScoped
public class DeletionRepository implements PanacheRepositoryBase<DeletionRequest, UUID> {

    public Uni<DeletionRequest> ofUser(UUID userId) {
        return find("userId", userId).firstResult();
    }

    /** The request, locked until the transaction ends (receipts of one request in turn). */
    public Uni<DeletionRequest> locked(UUID id) {
        return findById(id, LockModeType.PESSIMISTIC_WRITE);
    }

    public Uni<List<DeletionReceipt>> receipts(UUID deletionId) {
        return DeletionReceipt.list("deletionId = ?1 order by receivedAt", deletionId);
    }

    /** Open requests past their deadline. */
    public Uni<List<DeletionRequest>> overdue(Instant now) {
        return list("completedAt is null and deadlineAt < :now order by deadlineAt", Parameters.with("now", now));
    }
}

package dev.tollgate.account.export.repository;

import dev.tollgate.account.export.ExportJob;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Export jobs; every query of a user's names the user. */
@ApplicationScoped
public class ExportRepository implements PanacheRepositoryBase<ExportJob, UUID> {

    /** When the user asked for each export since {@code since}, oldest first. */
    public Uni<List<Instant>> requestedSince(UUID userId, Instant since) {
        return find("select requestedAt from ExportJob where userId = :user and requestedAt > :since order by requestedAt",
                Parameters.with("user", userId).and("since", since)).project(Instant.class).list();
    }

    /** The user's export still being gathered, if any. */
    public Uni<ExportJob> inProgress(UUID userId) {
        return find("userId = ?1 and status in ('queued', 'running')", userId).firstResult();
    }

    /**
     * Up to {@code limit} jobs due to be gathered, locked until the transaction ends. A replica asking at the same
     * time waits for that short transaction, and PostgreSQL then re-checks the rows: a job leased meanwhile is no
     * longer due and is not taken twice.
     */
    public Uni<List<ExportJob>> lockDue(Instant now, int limit) {
        return find("status in ('queued', 'running') and nextAttemptAt <= ?1 order by nextAttemptAt", now)
                .withLock(LockModeType.PESSIMISTIC_WRITE)
                .page(0, limit).list();
    }

    /** Drops the archives whose link expired. */
    public Uni<Integer> expire(Instant now) {
        return update("status = 'expired', archive = null where status = 'ready' and expiresAt < ?1", now);
    }

    /** Deletes the user's exports (erasure). */
    public Uni<Long> erase(UUID userId) {
        return delete("userId", userId);
    }
}

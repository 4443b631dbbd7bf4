package dev.tollgate.common.outbox;

import io.quarkus.hibernate.reactive.panache.PanacheRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

@ApplicationScoped
public class OutboxRepository implements PanacheRepository<OutboxMessage> {

    /**
     * Locks the oldest unpublished rows for this transaction. Rows another replica holds are skipped, so
     * several relays share the work and never publish the same row at the same time.
     */
    public Uni<List<OutboxMessage>> lockUnpublished(int limit) {
        return getSession().flatMap(session -> session.createNativeQuery(
                "select * from {h-schema}outbox where published_at is null order by id limit :limit "
                        + "for update skip locked",
                OutboxMessage.class)
                .setParameter("limit", limit)
                .getResultList());
    }

    public Uni<Long> countUnpublished() {
        return count("publishedAt is null");
    }
}

package dev.tollgate.common.outbox;

import dev.tollgate.common.config.ServiceConfig;
import io.quarkus.hibernate.reactive.panache.PanacheRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

@ApplicationScoped
public class OutboxRepository implements PanacheRepository<OutboxMessage> {

    /** The advisory-lock class of outbox keys (the other int of the lock is the hash of the service and key). */
    static final int KEY_LOCK_CLASS = 0x4f555442;

    private final String namespace;

    public OutboxRepository(ServiceConfig service) {
        this.namespace = service.schema() + ":";
    }

    /**
     * Takes, for this transaction, the keys (tenants) with rows due, oldest first, that no other replica's relay
     * holds: a transaction-level advisory lock per key, so one key's rows go out from one relay at a time.
     */
    public Uni<List<String>> lockDueKeys(int limit) {
        return getSession().flatMap(session -> session.createNativeQuery("""
                select k.message_key from (
                    select o.message_key, min(o.id) as first from {h-schema}outbox o
                     where o.published_at is null and o.parked_at is null
                       and (o.next_attempt_at is null or o.next_attempt_at <= now())
                       and not exists (select 1 from {h-schema}outbox w
                                        where w.message_key = o.message_key and w.id < o.id and w.published_at is null
                                          and (w.parked_at is not null or w.next_attempt_at > now()))
                     group by o.message_key order by first limit :limit) k
                 where pg_try_advisory_xact_lock(:lockClass, hashtext(:namespace || k.message_key))
                 order by k.first""", String.class)
                .setParameter("limit", limit)
                .setParameter("lockClass", KEY_LOCK_CLASS)
                .setParameter("namespace", namespace)
                .getResultList());
    }

    /**
     * The due rows of keys this transaction holds, oldest first, locked. Asked after the keys are held, so it sees
     * what the replica that held them before committed: a row behind a parked or waiting row of its key is not due.
     */
    public Uni<List<OutboxMessage>> lockDue(List<String> keys, int limit) {
        if (keys.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return getSession().flatMap(session -> session.createNativeQuery("""
                select * from {h-schema}outbox o
                 where o.message_key in (:keys) and o.published_at is null and o.parked_at is null
                   and (o.next_attempt_at is null or o.next_attempt_at <= now())
                   and not exists (select 1 from {h-schema}outbox w
                                    where w.message_key = o.message_key and w.id < o.id and w.published_at is null
                                      and (w.parked_at is not null or w.next_attempt_at > now()))
                 order by o.id limit :limit
                 for update skip locked""", OutboxMessage.class)
                .setParameter("keys", keys)
                .setParameter("limit", limit)
                .getResultList());
    }

    /** Rows waiting to be published (parked ones aside). */
    public Uni<Long> countWaiting() {
        return count("publishedAt is null and parkedAt is null");
    }

    public Uni<Long> countParked() {
        return count("publishedAt is null and parkedAt is not null");
    }
}

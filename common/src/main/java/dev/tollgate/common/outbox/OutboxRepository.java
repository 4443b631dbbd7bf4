package dev.tollgate.common.outbox;

import dev.tollgate.common.config.ServiceConfig;
import io.quarkus.hibernate.reactive.panache.PanacheRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;

@ApplicationScoped
public class OutboxRepository implements PanacheRepository<OutboxMessage> {

    /** The advisory-lock class of outbox keys (the other int of the lock is the hash of the service and key). */
    static final int KEY_LOCK_CLASS = 0x4f555442;

    /**
     * A pass looks for its keys among this many times its batch of the oldest due rows, so that a backlog of due rows
     * costs a pass the same whatever its size (rows held back behind a parked or waiting row are walked past, so those
     * cost a pass in proportion to their number while they wait).
     */
    static final int SCAN_FACTOR = 4;

    private final String namespace;

    public OutboxRepository(ServiceConfig service) {
        this.namespace = service.schema() + ":";
    }

    /**
     * Takes, for this transaction, the keys (tenants) with rows due among the oldest, oldest first, that no other
     * replica's relay holds: a transaction-level advisory lock per key, so one key's rows go out from one relay at a
     * time. Rows behind a parked or waiting row of their key are not due, so however many a blocked tenant holds,
     * they never fill the scan and hold back the others.
     */
    public Uni<List<String>> lockDueKeys(int limit) {
        return getSession().flatMap(session -> session.createNativeQuery("""
                select k.message_key from (
                    select o.message_key, min(o.id) as first from (
                        select id, message_key from {h-schema}outbox d
                         where published_at is null and parked_at is null
                           and (next_attempt_at is null or next_attempt_at <= now())
                           and not exists (select 1 from {h-schema}outbox w
                                            where w.message_key = d.message_key and w.id < d.id
                                              and w.published_at is null
                                              and (w.parked_at is not null or w.next_attempt_at > now()))
                         order by id limit :scan) o
                     group by o.message_key order by first limit :limit) k
                 where pg_try_advisory_xact_lock(:lockClass, hashtext(:namespace || k.message_key))
                 order by k.first""", String.class)
                .setParameter("limit", limit)
                .setParameter("scan", limit * SCAN_FACTOR)
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

    /** Marks rows published (and no longer waiting for a retry) in one statement. */
    public Uni<Integer> markPublished(List<Long> ids, Instant at) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return getSession().flatMap(session -> session.createNativeQuery(
                "update {h-schema}outbox set published_at = :at, next_attempt_at = null where id in (:ids)")
                .setParameter("at", at)
                .setParameter("ids", ids)
                .executeUpdate());
    }

    /** Rows waiting to be published (parked ones aside). */
    public Uni<Long> countWaiting() {
        return count("publishedAt is null and parkedAt is null");
    }

    public Uni<Long> countParked() {
        return count("publishedAt is null and parkedAt is not null");
    }
}

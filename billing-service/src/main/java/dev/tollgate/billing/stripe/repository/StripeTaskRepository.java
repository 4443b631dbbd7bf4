package dev.tollgate.billing.stripe.repository;

import dev.tollgate.billing.stripe.StripeTask;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/** Stripe tasks waiting to be carried out. */
@ApplicationScoped
public class StripeTaskRepository implements PanacheRepositoryBase<StripeTask, UUID> {

    /** Writes {@code task} unless a task with its id exists (a redelivered cause adds nothing); true if written. */
    public Uni<Boolean> addOnce(StripeTask task) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                insert into {h-schema}stripe_tasks (id, kind, tenant_id, stripe_customer_id,
                    stripe_subscription_id, meter_value, occurred_at, deletion_id, user_id, next_attempt_at,
                    created_at, kept_subscription_id, checkout_session_id)
                values (:id, :kind, :tenant, :customer, :subscription, :value, :occurred, :deletion, :user,
                    :next, :created, :kept, :checkout)
                on conflict (id) do nothing""")
                .setParameter("id", task.id)
                .setParameter("kind", task.kind)
                .setParameter("tenant", task.tenantId)
                .setParameter("customer", task.stripeCustomerId)
                .setParameter("subscription", task.stripeSubscriptionId)
                .setParameter("value", task.meterValue)
                .setParameter("occurred", task.occurredAt)
                .setParameter("deletion", task.deletionId)
                .setParameter("user", task.userId)
                .setParameter("next", task.nextAttemptAt)
                .setParameter("created", task.createdAt)
                .setParameter("kept", task.keptSubscriptionId)
                .setParameter("checkout", task.checkoutSessionId)
                .executeUpdate()).map(rows -> rows == 1);
    }

    /**
     * Up to {@code limit} tasks of {@code kinds} due by {@code now}, oldest first, locked until the caller's
     * transaction ends: rows another replica locks or holds under a lease are skipped, and so are kinds this replica
     * does not carry out (a newer replica's, during a rolling deployment).
     */
    public Uni<List<StripeTask>> lockDue(Collection<String> kinds, Instant now, int limit) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                select * from {h-schema}stripe_tasks where done_at is null and parked_at is null
                and next_attempt_at <= :now and (leased_until is null or leased_until <= :now) and kind in (:kinds)
                order by next_attempt_at limit :limit for update skip locked""", StripeTask.class)
                .setParameter("now", now)
                .setParameter("kinds", kinds)
                .setParameter("limit", limit)
                .getResultList());
    }

    /** The task, locked, if it is still open and held under {@code lease}; null when the lease lapsed. */
    public Uni<StripeTask> heldUnder(UUID id, Instant lease) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                select * from {h-schema}stripe_tasks where id = :id and done_at is null and leased_until = :lease
                for update""", StripeTask.class)
                .setParameter("id", id)
                .setParameter("lease", lease)
                .getResultList())
                .map(found -> found.isEmpty() ? null : found.get(0));
    }

    /** The parked tasks, oldest first, at most {@code limit}. */
    public Uni<List<StripeTask>> parked(int limit) {
        return find("parkedAt is not null and doneAt is null", Sort.by("parkedAt")).page(0, limit).list();
    }

    /** The parked task {@code id}, locked; null when there is none (never parked, or closed). */
    public Uni<StripeTask> parkedTask(UUID id) {
        return find("id = ?1 and parkedAt is not null and doneAt is null", id)
                .withLock(LockModeType.PESSIMISTIC_WRITE).firstResult();
    }

    /** Tasks still to carry out (parked ones not counted). */
    public Uni<Long> countWaiting() {
        return count("doneAt is null and parkedAt is null");
    }

    /** Tasks waiting for an operator. */
    public Uni<Long> countParked() {
        return count("doneAt is null and parkedAt is not null");
    }

    /** Removes tasks carried out before {@code before}. */
    public Uni<Long> removeDone(Instant before) {
        return delete("doneAt < ?1", before);
    }
}

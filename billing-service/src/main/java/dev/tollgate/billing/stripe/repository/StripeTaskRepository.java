package dev.tollgate.billing.stripe.repository;

import dev.tollgate.billing.stripe.StripeTask;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
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
                    created_at)
                values (:id, :kind, :tenant, :customer, :subscription, :value, :occurred, :deletion, :user,
                    :next, :created)
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
                .executeUpdate()).map(rows -> rows == 1);
    }

    /** Up to {@code limit} tasks due by {@code now}, oldest first, locked; rows another replica holds are skipped. */
    public Uni<List<StripeTask>> lockDue(Instant now, int limit) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                select * from {h-schema}stripe_tasks where done_at is null and next_attempt_at <= :now
                order by next_attempt_at limit :limit for update skip locked""", StripeTask.class)
                .setParameter("now", now)
                .setParameter("limit", limit)
                .getResultList());
    }

    public Uni<Long> countWaiting() {
        return count("doneAt is null");
    }

    /** Removes tasks carried out before {@code before}. */
    public Uni<Long> removeDone(Instant before) {
        return delete("doneAt < ?1", before);
    }
}

package dev.tollgate.billing.subscription.repository;

import dev.tollgate.billing.subscription.TenantSubscription;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Subscriptions by tenant, and the tenants' Stripe customers. */
@ApplicationScoped
public class SubscriptionRepository implements PanacheRepositoryBase<TenantSubscription, UUID> {

    /** The tenant's subscription, locked until the transaction ends (Stripe events of one tenant in turn). */
    public Uni<TenantSubscription> lockedFor(UUID tenantId) {
        return findById(tenantId, LockModeType.PESSIMISTIC_WRITE);
    }

    /** The tenant whose Stripe customer {@code customerId} is; null if none is known. */
    public Uni<UUID> tenantOfCustomer(String customerId) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                "select tenant_id from {h-schema}customers where stripe_customer_id = :customer", UUID.class)
                .setParameter("customer", customerId)
                .getResultList()).map(rows -> rows.isEmpty() ? null : rows.get(0));
    }

    /** The tenant's Stripe customer id; null if it has none. */
    public Uni<String> customerOf(UUID tenantId) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                "select stripe_customer_id from {h-schema}customers where tenant_id = :tenant", String.class)
                .setParameter("tenant", tenantId)
                .getResultList()).map(rows -> rows.isEmpty() ? null : rows.get(0));
    }

    /** Remembers that {@code customerId} is the tenant's Stripe customer (a later one replaces it). */
    public Uni<Void> rememberCustomer(UUID tenantId, String customerId) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                insert into {h-schema}customers (tenant_id, stripe_customer_id) values (:tenant, :customer)
                on conflict (tenant_id) do update set stripe_customer_id = excluded.stripe_customer_id""")
                .setParameter("tenant", tenantId)
                .setParameter("customer", customerId)
                .executeUpdate()).replaceWithVoid();
    }

    /** Forgets the tenant's Stripe customer {@code customerId} (deleted at Stripe). */
    public Uni<Void> forgetCustomer(UUID tenantId, String customerId) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                "delete from {h-schema}customers where tenant_id = :tenant and stripe_customer_id = :customer")
                .setParameter("tenant", tenantId)
                .setParameter("customer", customerId)
                .executeUpdate()).replaceWithVoid();
    }

    /**
     * Up to {@code limit} subscriptions whose grace period ran out before {@code now} unpaid and that still give a
     * paid plan, locked (rows another replica holds are skipped).
     */
    public Uni<List<TenantSubscription>> graceRunOut(Instant now, String freePlan, int limit) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                select * from {h-schema}subscriptions
                where grace_ends_at <= :now and status in ('past_due', 'unpaid') and plan <> :free
                order by grace_ends_at limit :limit for update skip locked""", TenantSubscription.class)
                .setParameter("now", now)
                .setParameter("free", freePlan)
                .setParameter("limit", limit)
                .getResultList());
    }

    /** Records a Stripe event as applied; false if it was applied before. */
    public Uni<Boolean> firstTime(String eventId, String type, Instant created) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                insert into {h-schema}stripe_events (id, type, created) values (:id, :type, :created)
                on conflict (id) do nothing""")
                .setParameter("id", eventId)
                .setParameter("type", type)
                .setParameter("created", created)
                .executeUpdate()).map(inserted -> inserted == 1);
    }
}

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

    /** Remembers that the tenant is on {@code plan} from {@code from}. */
    public Uni<Void> rememberPlan(UUID tenantId, String plan, Instant from) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                insert into {h-schema}plan_history (tenant_id, valid_from, plan) values (:tenant, :from, :plan)
                on conflict (tenant_id, valid_from) do update set plan = excluded.plan""")
                .setParameter("tenant", tenantId)
                .setParameter("from", from)
                .setParameter("plan", plan)
                .executeUpdate()).replaceWithVoid();
    }

    /**
     * The plan the tenant was on at {@code at}: {@code ""} if it had none then (the free tier), null if no plan of the
     * tenant was ever remembered (its subscription predates the history).
     */
    public Uni<String> planAt(UUID tenantId, Instant at) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                select coalesce((select plan from {h-schema}plan_history where tenant_id = :tenant
                    and valid_from <= :at order by valid_from desc limit 1), '')
                where exists (select 1 from {h-schema}plan_history where tenant_id = :tenant)""", String.class)
                .setParameter("tenant", tenantId)
                .setParameter("at", at)
                .getResultList()).map(rows -> rows.isEmpty() ? null : rows.get(0));
    }

    /** Forgets the tenant's plans (an erasure); answers how many rows went. */
    public Uni<Integer> forgetPlans(UUID tenantId) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                "delete from {h-schema}plan_history where tenant_id = :tenant")
                .setParameter("tenant", tenantId)
                .executeUpdate());
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

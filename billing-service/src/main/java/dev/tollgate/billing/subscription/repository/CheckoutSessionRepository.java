package dev.tollgate.billing.subscription.repository;

import dev.tollgate.billing.subscription.CheckoutSession;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.util.UUID;

/** The tenants' open Checkout Sessions. */
@ApplicationScoped
public class CheckoutSessionRepository implements PanacheRepositoryBase<CheckoutSession, UUID> {

    /** The tenant's row, created empty if it has none, locked until the transaction ends. */
    public Uni<CheckoutSession> locked(UUID tenantId) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                insert into {h-schema}checkout_sessions (tenant_id, updated_at) values (:tenant, now())
                on conflict (tenant_id) do nothing""")
                .setParameter("tenant", tenantId)
                .executeUpdate())
                .chain(() -> findById(tenantId, LockModeType.PESSIMISTIC_WRITE));
    }

    /** Marks the session {@code sessionId} paid: the tenant's subscription is on its way. */
    public Uni<Integer> completed(String sessionId) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                update {h-schema}checkout_sessions set completed_at = now(), updated_at = now()
                where stripe_session_id = :session""")
                .setParameter("session", sessionId)
                .executeUpdate());
    }

    /**
     * Forgets the session {@code sessionId} (expired at Stripe); a newer one of the tenant, or a checkout creating
     * one now, stays.
     */
    public Uni<Integer> forget(String sessionId) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                update {h-schema}checkout_sessions set stripe_session_id = null, url = null, expires_at = null,
                plan = null, updated_at = now() where stripe_session_id = :session""")
                .setParameter("session", sessionId)
                .executeUpdate());
    }
}

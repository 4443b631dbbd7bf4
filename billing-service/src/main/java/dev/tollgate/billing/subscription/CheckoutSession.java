package dev.tollgate.billing.subscription;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A tenant's open Stripe Checkout Session, or the checkout creating one (checkout.StartCheckout). */
@Entity
@Table(name = "checkout_sessions")
public class CheckoutSession extends PanacheEntityBase {

    @Id
    @Column(name = "tenant_id")
    public UUID tenantId;

    /** The plan the session subscribes to. */
    @Column
    public String plan;

    @Column(name = "stripe_session_id")
    public String stripeSessionId;

    @Column
    public String url;

    /** When Stripe expires the session. */
    @Column(name = "expires_at")
    public Instant expiresAt;

    /** The checkout creating a session now; its idempotency key at Stripe. */
    @Column
    public UUID claim;

    @Column(name = "claimed_until")
    public Instant claimedUntil;

    /** Stripe said the session was paid: its subscription is on its way. */
    @Column(name = "completed_at")
    public Instant completedAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}

package dev.tollgate.billing.subscription;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A tenant's subscription as the newest applied Stripe event described it. */
@Entity
@Table(name = "subscriptions")
public class TenantSubscription extends PanacheEntityBase {

    @Id
    @Column(name = "tenant_id")
    public UUID tenantId;

    @Column(name = "stripe_subscription_id", nullable = false)
    public String stripeSubscriptionId;

    @Column(name = "stripe_customer_id", nullable = false)
    public String stripeCustomerId;

    @Column(nullable = false)
    public String plan;

    @Column(name = "stripe_price_id")
    public String stripePriceId;

    @Column(nullable = false)
    public String status;

    @Column(name = "current_period_start")
    public Instant currentPeriodStart;

    @Column(name = "current_period_end")
    public Instant currentPeriodEnd;

    @Column(name = "cancel_at_period_end", nullable = false)
    public boolean cancelAtPeriodEnd;

    @Column(name = "stripe_event_created", nullable = false)
    public Instant stripeEventCreated;

    /** When the first unpaid invoice's payment failed; null while payments succeed. */
    @Column(name = "payment_failed_at")
    public Instant paymentFailedAt;

    /** Until when a subscription still past due keeps its plan. */
    @Column(name = "grace_ends_at")
    public Instant graceEndsAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    /** How many {@code subscription.changed} the subscription announced: the next one carries this plus one. */
    @Column(name = "announced_version", nullable = false)
    public long announcedVersion;
}

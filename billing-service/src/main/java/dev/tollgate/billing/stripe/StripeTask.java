package dev.tollgate.billing.stripe;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * A call to Stripe to make once: written with its cause, carried out by {@link RunStripeTasks}; parked for an
 * operator when Stripe refuses it for good or its outcome cannot be known.
 */
@Entity
@Table(name = "stripe_tasks")
public class StripeTask extends PanacheEntityBase {

    public static final String METER_EVENT = "meter-event";
    public static final String ERASE_CUSTOMER = "erase-customer";

    /** Also Stripe's idempotency key, and a meter event's identifier. */
    @Id
    public UUID id;

    @Column(nullable = false)
    public String kind;

    @Column(name = "tenant_id", nullable = false)
    public UUID tenantId;

    @Column(name = "stripe_customer_id", nullable = false)
    public String stripeCustomerId;

    @Column(name = "stripe_subscription_id")
    public String stripeSubscriptionId;

    /** A meter event's value. */
    @Column(name = "meter_value")
    public Long meterValue;

    /** When the cause happened (a meter event's timestamp). */
    @Column(name = "occurred_at", nullable = false)
    public Instant occurredAt;

    /** An erasure's request, which its receipt names. */
    @Column(name = "deletion_id")
    public UUID deletionId;

    @Column(name = "user_id")
    public UUID userId;

    @Column(nullable = false)
    public int attempts;

    @Column(name = "next_attempt_at", nullable = false)
    public Instant nextAttemptAt;

    @Column(name = "last_error")
    public String lastError;

    @Column(name = "done_at")
    public Instant doneAt;

    /** The replica carrying the task out holds it until then. */
    @Column(name = "leased_until")
    public Instant leasedUntil;

    /** Since when a call was made whose outcome is unknown: Stripe may have applied it. */
    @Column(name = "uncertain_since")
    public Instant uncertainSince;

    /** When the task stopped being tried; it waits for an operator. */
    @Column(name = "parked_at")
    public Instant parkedAt;

    /** How an operator closed it. */
    @Column
    public String resolution;

    /** A duplicate subscription's cancellation: the subscription the tenant keeps. */
    @Column(name = "kept_subscription_id")
    public String keptSubscriptionId;

    /** An erasure: the tenant's open Checkout Session, expired so that it can no longer be paid. */
    @Column(name = "checkout_session_id")
    public String checkoutSessionId;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    public static StripeTask of(UUID id, String kind, UUID tenantId, String customerId, Instant occurredAt) {
        StripeTask task = new StripeTask();
        task.id = id;
        task.kind = kind;
        task.tenantId = tenantId;
        task.stripeCustomerId = customerId;
        task.occurredAt = occurredAt;
        task.createdAt = Instant.now();
        task.nextAttemptAt = task.createdAt;
        return task;
    }
}

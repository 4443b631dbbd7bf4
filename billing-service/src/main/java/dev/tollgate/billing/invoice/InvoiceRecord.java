package dev.tollgate.billing.invoice;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A tenant's Stripe invoice as the newest applied invoice event described it. */
@Entity
@Table(name = "invoices")
public class InvoiceRecord extends PanacheEntityBase {

    /** Stripe's invoice id ({@code in_...}). */
    @Id
    public String id;

    @Column(name = "tenant_id", nullable = false)
    public UUID tenantId;

    @Column(name = "stripe_customer_id", nullable = false)
    public String stripeCustomerId;

    @Column(name = "stripe_subscription_id")
    public String stripeSubscriptionId;

    public String number;

    @Column(nullable = false)
    public String status;

    @Column(nullable = false)
    public String currency;

    /** In the currency's smallest unit (cents). */
    @Column(name = "amount_due", nullable = false)
    public long amountDue;

    @Column(name = "amount_paid", nullable = false)
    public long amountPaid;

    @Column(name = "period_start")
    public Instant periodStart;

    @Column(name = "period_end")
    public Instant periodEnd;

    @Column(name = "hosted_invoice_url")
    public String hostedInvoiceUrl;

    @Column(name = "invoice_pdf")
    public String invoicePdf;

    /** Personal data: removed when the tenant is erased. */
    @Column(name = "customer_email")
    public String customerEmail;

    /** Personal data: removed when the tenant is erased. */
    @Column(name = "customer_name")
    public String customerName;

    /** When Stripe created the invoice. */
    @Column(nullable = false)
    public Instant created;

    @Column(name = "stripe_event_created", nullable = false)
    public Instant stripeEventCreated;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}

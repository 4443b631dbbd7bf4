package dev.tollgate.billing.invoice;

import com.stripe.model.Invoice;
import dev.tollgate.billing.invoice.repository.InvoiceRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.UUID;

/** Keeps a tenant's invoice as Stripe's newest invoice event describes it; older events change nothing. */
@ApplicationScoped
public class RecordInvoice {

    private final InvoiceRepository invoices;

    public RecordInvoice(InvoiceRepository invoices) {
        this.invoices = invoices;
    }

    /** Runs in the caller's transaction. */
    public Uni<Void> record(UUID tenantId, Invoice invoice, Instant eventCreated) {
        return invoices.findById(invoice.getId()).chain(current -> {
            if (current != null && eventCreated.isBefore(current.stripeEventCreated)) {
                return Uni.createFrom().voidItem();
            }
            InvoiceRecord row = current == null ? new InvoiceRecord() : current;
            row.id = invoice.getId();
            row.tenantId = tenantId;
            row.stripeCustomerId = invoice.getCustomer();
            row.stripeSubscriptionId = subscriptionOf(invoice);
            row.number = invoice.getNumber();
            row.status = invoice.getStatus() == null ? "unknown" : invoice.getStatus();
            row.currency = invoice.getCurrency() == null ? "usd" : invoice.getCurrency();
            row.amountDue = invoice.getAmountDue() == null ? 0 : invoice.getAmountDue();
            row.amountPaid = invoice.getAmountPaid() == null ? 0 : invoice.getAmountPaid();
            row.periodStart = instant(invoice.getPeriodStart());
            row.periodEnd = instant(invoice.getPeriodEnd());
            row.hostedInvoiceUrl = invoice.getHostedInvoiceUrl();
            row.invoicePdf = invoice.getInvoicePdf();
            row.customerEmail = invoice.getCustomerEmail();
            row.customerName = invoice.getCustomerName();
            row.created = invoice.getCreated() == null ? eventCreated : Instant.ofEpochSecond(invoice.getCreated());
            row.stripeEventCreated = eventCreated;
            row.updatedAt = Instant.now();
            return (current == null ? invoices.persist(row) : Uni.createFrom().item(row)).replaceWithVoid();
        });
    }

    /** The subscription the invoice bills, if any. */
    public static String subscriptionOf(Invoice invoice) {
        return invoice.getParent() == null || invoice.getParent().getSubscriptionDetails() == null ? null
                : invoice.getParent().getSubscriptionDetails().getSubscription();
    }

    private static Instant instant(Long epochSeconds) {
        return epochSeconds == null ? null : Instant.ofEpochSecond(epochSeconds);
    }
}

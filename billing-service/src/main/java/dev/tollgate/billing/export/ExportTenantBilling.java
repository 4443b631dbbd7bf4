package dev.tollgate.billing.export;

import dev.tollgate.billing.invoice.InvoiceRecord;
import dev.tollgate.billing.subscription.TenantSubscription;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Billing keeps no data of a single user; for the export of a tenant's owner or admin it gives the tenants'
 * subscriptions and invoices (account-service names the tenants, as auth-service's memberships say).
 */
@ApplicationScoped
public class ExportTenantBilling {

    public record TenantBilling(UUID tenantId, SubscriptionData subscription, List<InvoiceData> invoices) {
    }

    public record SubscriptionData(String plan, String status, Instant currentPeriodStart, Instant currentPeriodEnd,
            boolean cancelAtPeriodEnd, String stripeCustomerId, String stripeSubscriptionId) {
    }

    public record InvoiceData(String id, String number, String status, String currency, long amountDue,
            long amountPaid, Instant created, Instant periodStart, Instant periodEnd,
            String customerEmail, String customerName, String hostedInvoiceUrl) {
    }

    public Uni<List<TenantBilling>> of(List<UUID> tenants) {
        return Panache.withSession(() -> Multi.createFrom().iterable(tenants).onItem().transformToUniAndConcatenate(
                tenant -> TenantSubscription.<TenantSubscription> findById(tenant).chain(subscription -> InvoiceRecord
                        .<InvoiceRecord> list("tenantId = ?1 order by created", tenant).map(invoices -> new TenantBilling(
                                tenant, subscription == null ? null
                                        : new SubscriptionData(
                                                subscription.plan, subscription.status, subscription.currentPeriodStart,
                                                subscription.currentPeriodEnd, subscription.cancelAtPeriodEnd,
                                                subscription.stripeCustomerId, subscription.stripeSubscriptionId),
                                invoices.stream().map(i -> new InvoiceData(i.id, i.number, i.status, i.currency,
                                        i.amountDue, i.amountPaid, i.created, i.periodStart, i.periodEnd,
                                        i.customerEmail, i.customerName, i.hostedInvoiceUrl)).toList()))))
                .collect().asList());
    }
}

package dev.tollgate.billing.export;

import dev.tollgate.billing.invoice.InvoiceRecord;
import dev.tollgate.billing.subscription.TenantSubscription;
import dev.tollgate.common.error.Problems;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * Billing keeps no data of a single user; for the export of a tenant's owner or admin it gives the tenants'
 * subscriptions and invoices. Which tenants those are auth-service says at the moment of asking, not the caller:
 * a leaked account-service token cannot read the billing of a tenant its user does not run.
 */
@ApplicationScoped
public class ExportTenantBilling {

    private static final Logger LOG = Logger.getLogger(ExportTenantBilling.class);

    private final TenantsRunAtAuth auth;

    public ExportTenantBilling(@RestClient TenantsRunAtAuth auth) {
        this.auth = auth;
    }

    public record TenantBilling(UUID tenantId, SubscriptionData subscription, List<InvoiceData> invoices) {
    }

    public record SubscriptionData(String plan, String status, Instant currentPeriodStart, Instant currentPeriodEnd,
            boolean cancelAtPeriodEnd, String stripeCustomerId, String stripeSubscriptionId) {
    }

    public record InvoiceData(String id, String number, String status, String currency, long amountDue,
            long amountPaid, Instant created, Instant periodStart, Instant periodEnd,
            String customerEmail, String customerName, String hostedInvoiceUrl) {
    }

    /** The billing of the tenants the user runs; 503 naming auth-service when it cannot say which those are. */
    public Uni<List<TenantBilling>> ofUser(UUID userId) {
        return auth.of(userId)
                .onFailure().transform(e -> {
                    int status = e instanceof WebApplicationException refused ? refused.getResponse().getStatus() : 0;
                    if (status == 401 || status == 403) {
                        // not an outage: billing's client is wrong, and trying again will not mend it
                        LOG.errorf("alert: export: auth-service refused billing's client (HTTP %d): check "
                                + "TOLLGATE_BILLING_CLIENT_SECRET and auth-service's tollgate.auth.clients.billing", status);
                        return Problems.of(Response.Status.INTERNAL_SERVER_ERROR, "auth-refused-client",
                                "auth-service refused billing's service client; the configuration must be mended");
                    }
                    LOG.warnf("export: auth-service could not say which tenants user %s runs: %s", userId, e.toString());
                    return Problems.builder(Response.Status.SERVICE_UNAVAILABLE, "auth-unavailable", "Auth Unavailable")
                            .withDetail("auth-service could not say which tenants the user runs; try again")
                            .withHeader("Retry-After", "5").build();
                })
                .chain(run -> of(run.tenants()));
    }

    Uni<List<TenantBilling>> of(List<UUID> tenants) {
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

package dev.tollgate.billing.invoice.repository;

import dev.tollgate.billing.invoice.InvoiceRecord;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

/** A tenant's invoices, newest first; every query names the tenant. */
@ApplicationScoped
public class InvoiceRepository implements PanacheRepositoryBase<InvoiceRecord, String> {

    /** Up to {@code limit} of the tenant's invoices, newest first, after {@code cursor} (an invoice id) if given. */
    public Uni<List<InvoiceRecord>> page(UUID tenantId, String cursor, int limit) {
        if (cursor == null) {
            return find("tenantId = :tenant order by created desc, id desc", Parameters.with("tenant", tenantId))
                    .page(0, limit).list();
        }
        return find("""
                tenantId = :tenant and (created < (select i.created from InvoiceRecord i where i.id = :cursor
                        and i.tenantId = :tenant)
                    or created = (select i.created from InvoiceRecord i where i.id = :cursor
                        and i.tenantId = :tenant) and id < :cursor)
                order by created desc, id desc""",
                Parameters.with("tenant", tenantId).and("cursor", cursor)).page(0, limit).list();
    }

    /**
     * Strips the tenant's invoices of personal data, and of Stripe's hosted links, which show the customer's name
     * and address to anyone holding them; the amounts and dates stay for the books.
     */
    public Uni<Integer> anonymize(UUID tenantId) {
        return update("customerEmail = null, customerName = null, hostedInvoiceUrl = null, invoicePdf = null "
                + "where tenantId = ?1", tenantId);
    }
}

package dev.tollgate.billing.invoice;

import dev.tollgate.billing.invoice.repository.InvoiceRepository;
import dev.tollgate.common.error.Problems;
import dev.tollgate.common.security.Caller;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;

/** A page of the caller's tenant's invoices, newest first; the cursor of another tenant finds nothing. */
@ApplicationScoped
public class ListInvoices {

    public static final int MAX_LIMIT = 100;

    /** An invoice as a member sees it: the books, Stripe's hosted pages, no personal data. */
    public record InvoiceView(String id, String number, String status, String currency, long amountDue,
            long amountPaid, Instant periodStart, Instant periodEnd, Instant created,
            String hostedInvoiceUrl, String invoicePdf) {
        static InvoiceView of(InvoiceRecord row) {
            return new InvoiceView(row.id, row.number, row.status, row.currency, row.amountDue, row.amountPaid,
                    row.periodStart, row.periodEnd, row.created, row.hostedInvoiceUrl, row.invoicePdf);
        }
    }

    /** A page; {@code nextCursor} (null on the last page) fetches the next one. */
    public record InvoicePage(List<InvoiceView> invoices, String nextCursor) {
    }

    private final InvoiceRepository invoices;

    public ListInvoices(InvoiceRepository invoices) {
        this.invoices = invoices;
    }

    public Uni<InvoicePage> page(Caller caller, int limit, String cursor) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw Problems.badRequest("limit-invalid", "Limit Invalid", "limit must be 1 to " + MAX_LIMIT);
        }
        return Panache.withSession(() -> invoices.page(caller.tenantId(), cursor, limit + 1)).map(rows -> {
            boolean more = rows.size() > limit;
            List<InvoiceView> page = rows.stream().limit(limit).map(InvoiceView::of).toList();
            return new InvoicePage(page, more ? page.get(page.size() - 1).id() : null);
        });
    }
}

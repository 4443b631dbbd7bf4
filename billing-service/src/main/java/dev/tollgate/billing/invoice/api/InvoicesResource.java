package dev.tollgate.billing.invoice.api;

import dev.tollgate.billing.invoice.ListInvoices;
import dev.tollgate.common.security.Access;
import dev.tollgate.common.security.CallerContext;
import dev.tollgate.common.security.Role;
import dev.tollgate.common.security.Scope;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** The tenant's invoices as Stripe's invoice events recorded them, newest first, with Stripe's hosted pages. */
@Access(session = Role.MEMBER, apiKey = Scope.BILLING_READ)
@Path("/billing/invoices")
public class InvoicesResource {

    private final ListInvoices invoices;
    private final CallerContext caller;

    public InvoicesResource(ListInvoices invoices, CallerContext caller) {
        this.invoices = invoices;
        this.caller = caller;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The tenant's invoices, newest first: ?limit=20&cursor=<nextCursor>")
    public Uni<ListInvoices.InvoicePage> list(@QueryParam("limit") @DefaultValue("20") int limit,
            @QueryParam("cursor") String cursor) {
        return invoices.page(caller.require(), limit, cursor);
    }
}

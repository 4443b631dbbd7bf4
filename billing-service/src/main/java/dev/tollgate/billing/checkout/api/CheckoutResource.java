package dev.tollgate.billing.checkout.api;

import dev.tollgate.billing.access.RequestKeys;
import dev.tollgate.billing.checkout.StartCheckout;
import dev.tollgate.common.security.Access;
import dev.tollgate.common.security.CallerContext;
import dev.tollgate.common.security.Role;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Stripe's hosted Checkout and Customer Portal for the caller's tenant; its owner or an admin only. */
@Access(session = Role.ADMIN)
@Path("/billing")
public class CheckoutResource {

    public record CheckoutRequest(String plan) {
    }

    public record PortalSession(String url) {
    }

    private final StartCheckout checkout;
    private final CallerContext caller;

    public CheckoutResource(StartCheckout checkout, CallerContext caller) {
        this.checkout = checkout;
        this.caller = caller;
    }

    @POST
    @Path("/checkout")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "A Stripe Checkout Session subscribing the tenant to a paid plan; send the customer to its url")
    public Uni<StartCheckout.CheckoutStarted> checkout(CheckoutRequest request) {
        // no Idempotency-Key: the tenant's one open session already makes a repeated checkout the same one
        return checkout.checkout(caller.require(), request == null ? null : request.plan());
    }

    @POST
    @Path("/portal")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "A Stripe Customer Portal session for the tenant's payment methods and invoices")
    public Uni<PortalSession> portal(@HeaderParam(RequestKeys.HEADER) String idempotencyKey) {
        return checkout.portal(caller.require(), RequestKeys.of(idempotencyKey))
                .map(PortalSession::new);
    }
}

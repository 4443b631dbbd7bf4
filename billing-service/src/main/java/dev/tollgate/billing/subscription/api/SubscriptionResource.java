package dev.tollgate.billing.subscription.api;

import dev.tollgate.billing.access.RequestKeys;
import dev.tollgate.billing.subscription.ManageSubscription;
import dev.tollgate.common.security.Access;
import dev.tollgate.common.security.CallerContext;
import dev.tollgate.common.security.Role;
import dev.tollgate.common.security.Scope;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.ResponseStatus;

/**
 * The tenant's subscription: every member reads it, its owner or an admin changes it. Changes are made at
 * Stripe and answered 202; the plan and entitlements follow Stripe's event within seconds.
 */
@Access(session = Role.ADMIN)
@Path("/billing/subscription")
@Produces(MediaType.APPLICATION_JSON)
public class SubscriptionResource {

    public record ChangeRequest(String plan) {
    }

    private final ManageSubscription subscriptions;
    private final CallerContext caller;

    public SubscriptionResource(ManageSubscription subscriptions, CallerContext caller) {
        this.subscriptions = subscriptions;
        this.caller = caller;
    }

    @Access(session = Role.MEMBER, apiKey = Scope.BILLING_READ)
    @GET
    @Operation(summary = "The tenant's plan, status, period, cancellation and entitlements")
    public Uni<ManageSubscription.SubscriptionView> get() {
        return subscriptions.view(caller.require());
    }

    @POST
    @Path("/change")
    @Consumes(MediaType.APPLICATION_JSON)
    @ResponseStatus(202)
    @Operation(summary = "Move the subscription to another paid plan, prorated")
    public Uni<ManageSubscription.ChangeRequested> change(ChangeRequest request,
            @HeaderParam(RequestKeys.HEADER) String idempotencyKey) {
        return subscriptions.change(caller.require(), request == null ? null : request.plan(),
                RequestKeys.of(idempotencyKey));
    }

    @POST
    @Path("/cancel")
    @ResponseStatus(202)
    @Operation(summary = "Cancel at the end of the paid period")
    public Uni<ManageSubscription.ChangeRequested> cancel(@HeaderParam(RequestKeys.HEADER) String idempotencyKey) {
        return subscriptions.cancelAtPeriodEnd(caller.require(), true,
                RequestKeys.of(idempotencyKey));
    }

    @POST
    @Path("/resume")
    @ResponseStatus(202)
    @Operation(summary = "Take back a cancellation at the period's end")
    public Uni<ManageSubscription.ChangeRequested> resume(@HeaderParam(RequestKeys.HEADER) String idempotencyKey) {
        return subscriptions.cancelAtPeriodEnd(caller.require(), false,
                RequestKeys.of(idempotencyKey));
    }
}

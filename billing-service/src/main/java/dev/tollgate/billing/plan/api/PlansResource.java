package dev.tollgate.billing.plan.api;

import dev.tollgate.billing.plan.PlanCatalog;
import dev.tollgate.common.event.Entitlements;
import dev.tollgate.common.security.Access;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** The plan catalog, for a pricing page: public. */
@Access(anonymous = true)
@Path("/billing/plans")
public class PlansResource {

    public record PlanView(String name, String title, long monthlyPriceCents, boolean purchasable,
            Entitlements entitlements) {
    }

    private final PlanCatalog catalog;

    public PlansResource(PlanCatalog catalog) {
        this.catalog = catalog;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The plans on offer, cheapest first, with their quotas, rate limits and models")
    public List<PlanView> list() {
        return catalog.all().stream().map(plan -> new PlanView(plan.name(), plan.title(), plan.monthlyPriceCents(),
                plan.stripePriceId() != null, plan.entitlements())).toList();
    }
}

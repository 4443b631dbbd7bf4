package dev.tollgate.gate;

import dev.tollgate.common.event.Entitlements;
import dev.tollgate.common.plan.BillingPeriod;
import dev.tollgate.common.security.Access;
import dev.tollgate.common.security.Caller;
import dev.tollgate.common.security.CallerContext;
import dev.tollgate.common.security.Role;
import dev.tollgate.common.security.Scope;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * A metered endpoint of the test application, written as a service writes one: the gate admits the caller under
 * a plan (3 requests a second per user, 20 generations a month per tenant), the work is done, the reservation
 * settled, and the answer carries the gate's headers; a refusal is the gate's problem.
 */
@Path("/metered")
public class MeteredProbeResource {

    static final Entitlements PLAN = new Entitlements(Map.of("generations", 20L),
            new Entitlements.RateLimits(0, 0, 0, 0, 3), Set.of(), Set.of(), false);

    private final QuotaGate gate;
    private final GateConfig config;
    private final CallerContext callers;

    public MeteredProbeResource(QuotaGate gate, GateConfig config, CallerContext callers) {
        this.gate = gate;
        this.config = config;
        this.callers = callers;
    }

    @POST
    @Access(session = Role.MEMBER, apiKey = Scope.GENERATE)
    public Uni<Response> generate(@QueryParam("generations") Long generations) {
        Caller caller = callers.require();
        long units = generations == null ? 1 : generations;
        Instant now = Instant.now();
        GateRequest request = GateRequest.forPlan(caller.tenantId(), caller.userId(), BillingPeriod.calendarMonth(now),
                PLAN, Map.of("generations", units));
        return gate.reserve(request).chain(decision -> {
            if (!(decision instanceof GateDecision.Allowed allowed)) {
                throw GateResponses.refusal(decision, "test", config.upgradeUrl(), now);
            }
            return gate.settle(allowed.reservation(), Map.of("generations", units)).map(settled -> {
                Response.ResponseBuilder answer = Response.ok();
                GateResponses.headers(allowed, now).forEach(answer::header);
                return answer.build();
            });
        });
    }
}

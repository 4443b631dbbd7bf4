package dev.tollgate.metering.usage.api;

import dev.tollgate.common.error.Problems;
import dev.tollgate.common.security.Access;
import dev.tollgate.common.security.CallerContext;
import dev.tollgate.common.security.Role;
import dev.tollgate.common.security.Scope;
import dev.tollgate.metering.usage.Grouping;
import dev.tollgate.metering.usage.UsageReport;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/** The caller's tenant's usage: this period against its quotas, history, and what the plan allows. */
@Access(session = Role.MEMBER, apiKey = Scope.USAGE_READ)
@Path("/usage")
@Produces(MediaType.APPLICATION_JSON)
public class UsageResource {

    private final UsageReport report;
    private final CallerContext caller;

    public UsageResource(UsageReport report, CallerContext caller) {
        this.report = report;
        this.caller = caller;
    }

    @GET
    @Operation(summary = "This billing period's usage per metric: used, limit, remaining, percent, reset; and a user's own units")
    public Uni<UsageView> current(
            @Parameter(description = "a user of the tenant (owners and admins); default: the caller") @QueryParam("userId") String userId) {
        return report.current(caller.require(), uuid("userId", userId));
    }

    @GET
    @Path("/history")
    @Operation(summary = "Usage in [from, to) grouped by day (UTC), model or user")
    public Uni<HistoryView> history(
            @Parameter(description = "an ISO date (2026-11-01) or instant; default: the period's start") @QueryParam("from") String from,
            @Parameter(description = "an ISO date or instant, exclusive; default: now") @QueryParam("to") String to,
            @Parameter(description = "day, model, user, key (the API key) or end_user (the request's own user); default: day") @QueryParam("groupBy") String groupBy,
            @Parameter(description = "one user's usage (owners and admins see every user's by default)") @QueryParam("userId") String userId) {
        return report.history(caller.require(), instant("from", from), instant("to", to), Grouping.parse(groupBy),
                uuid("userId", userId));
    }

    @GET
    @Path("/limits")
    @Operation(summary = "The tenant's plan: quotas, rate limits, models, features, overage, current period")
    public Uni<LimitsView> limits() {
        return report.limits(caller.require());
    }

    private static Instant instant(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return value.length() == 10 ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw Problems.badRequest("invalid-parameter", "Invalid Parameter",
                    name + " must be an ISO date (2026-11-01) or instant (2026-11-01T00:00:00Z), not '" + value + "'");
        }
    }

    private static UUID uuid(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw Problems.badRequest("invalid-parameter", "Invalid Parameter", name + " must be a UUID, not '" + value + "'");
        }
    }
}

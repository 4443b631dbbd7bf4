package dev.tollgate.account.audit.api;

import dev.tollgate.account.audit.ReadAudit;
import dev.tollgate.common.security.Access;
import dev.tollgate.common.security.CallerContext;
import dev.tollgate.common.security.Role;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** The tenant's audit log: sign-ins, API keys, plan changes, exports, erasures; owners and admins only. */
@Access(session = Role.ADMIN)
@Path("/account/audit")
public class AuditResource {

    private final ReadAudit audit;
    private final CallerContext caller;

    public AuditResource(ReadAudit audit, CallerContext caller) {
        this.audit = audit;
        this.caller = caller;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The tenant's audit log, newest first: ?action=&actor=&from=&to=&limit=50&cursor=")
    public Uni<ReadAudit.AuditPage> list(@QueryParam("action") String action, @QueryParam("actor") String actor,
            @QueryParam("from") String from, @QueryParam("to") String to,
            @QueryParam("cursor") Long cursor,
            @QueryParam("limit") @DefaultValue("50") int limit) {
        return audit.page(caller.require(), action, actor, from, to, cursor, limit);
    }
}

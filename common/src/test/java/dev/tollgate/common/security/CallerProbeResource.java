package dev.tollgate.common.security;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** A protected endpoint of the test application: answers who the verified caller is. */
@Path("/caller")
public class CallerProbeResource {

    private final CallerContext caller;

    public CallerProbeResource(CallerContext caller) {
        this.caller = caller;
    }

    @GET
    @Access(session = Role.MEMBER, apiKey = Scope.USAGE_READ, services = "account", operator = true)
    @Produces(MediaType.APPLICATION_JSON)
    public Caller whoAmI() {
        return caller.require();
    }
}

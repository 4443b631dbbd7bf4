package dev.tollgate.common.request;

import dev.tollgate.common.error.Problems;
import dev.tollgate.common.security.Access;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.logging.Logger;

/** Endpoints of the test application that answer with the request's id, or fail with a problem. */
@Path("/request-probe")
@Access(anonymous = true)
@Produces(MediaType.APPLICATION_JSON)
public class RequestProbeResource {

    private static final Logger LOG = Logger.getLogger(RequestProbeResource.class);

    @GET
    public Map<String, String> ok() {
        LOG.info("request probe answered");
        return Map.of("requestId", String.valueOf(RequestIds.current()));
    }

    /** What the echo takes: a name, a count and a nested object. */
    public record Probe(String name, int count, Nested nested) {

        public record Nested(boolean on) {
        }
    }

    @POST
    @Path("echo")
    @Consumes(MediaType.APPLICATION_JSON)
    public Probe echo(Probe probe) {
        return probe;
    }

    @GET
    @Path("fail")
    public Map<String, String> fail() {
        throw Problems.of(Response.Status.SERVICE_UNAVAILABLE, "probe-unavailable", "the probe is never available");
    }
}

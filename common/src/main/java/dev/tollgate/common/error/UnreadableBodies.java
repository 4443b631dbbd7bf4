package dev.tollgate.common.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.quarkiverse.resteasy.problem.HttpProblem;
import io.quarkiverse.resteasy.problem.postprocessing.ProblemContext;
import io.quarkiverse.resteasy.problem.postprocessing.ProblemPostProcessor;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;

/**
 * The framework's own 400 for a body it could not read (JSON cut short, or a token that is not JSON, which it wraps in
 * a bare {@code WebApplicationException}) as {@code invalid-body}, saying so, instead of "HTTP 400 Bad Request".
 * Runs before the problem is logged and given the request's id.
 */
@ApplicationScoped
@Startup
public class UnreadableBodies implements ProblemPostProcessor {

    @Override
    public HttpProblem apply(HttpProblem problem, ProblemContext context) {
        if (problem.getStatusCode() != 400 || problem.getType() != null && problem.getType().toString()
                .startsWith(Problems.TYPE_BASE)) {
            return problem;
        }
        for (Throwable cause = context.cause; cause != null; cause = cause.getCause()) {
            if (cause instanceof JsonProcessingException) {
                return Problems.builder(Response.Status.BAD_REQUEST, "invalid-body", "Invalid Body")
                        .withDetail("the request body is not JSON, or it ends before its JSON does").build();
            }
        }
        return problem;
    }

    /** Before the logger (101) and the request id (100): they see the problem as it is answered. */
    @Override
    public int priority() {
        return 200;
    }
}

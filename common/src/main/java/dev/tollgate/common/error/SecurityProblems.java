package dev.tollgate.common.error;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * 401 answers as problem+json with a bearer challenge. They take precedence over quarkus-resteasy-problem's own
 * security mappers, which fail against this Quarkus version's challenge data and would answer 500.
 */
public class SecurityProblems {

    static final int PRIORITY = 4000;

    @ServerExceptionMapper(value = UnauthorizedException.class, priority = PRIORITY)
    public Response missing(UnauthorizedException e) {
        return Problems.builder(Response.Status.UNAUTHORIZED, "unauthorized", "Unauthorized")
                .withDetail("a bearer access token is required")
                .withHeader("WWW-Authenticate", "Bearer")
                .build().toResponse();
    }

    @ServerExceptionMapper(value = AuthenticationFailedException.class, priority = PRIORITY)
    public Response invalid(AuthenticationFailedException e) {
        return Problems.builder(Response.Status.UNAUTHORIZED, "invalid-token", "Unauthorized")
                .withDetail("the bearer token is not valid here: expired, not yet valid, not signed by the issuer's "
                        + "published keys, or issued for another audience")
                .withHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"")
                .build().toResponse();
    }
}

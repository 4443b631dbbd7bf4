package dev.tollgate.common.error;

import dev.tollgate.common.security.UnreadableTokenException;
import io.quarkiverse.resteasy.problem.HttpProblem;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticator;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * 401 answers as problem+json with the authentication mechanism's challenge; a mechanism whose challenge is a
 * redirect (a social sign-in provider's authorization page) gets its redirect. These mappers take precedence
 * over quarkus-resteasy-problem's own security mappers, which fail against this Quarkus version's challenge
 * data and would answer 500.
 */
public class SecurityProblems {

    static final int PRIORITY = 4000;

    @ServerExceptionMapper(value = UnauthorizedException.class, priority = PRIORITY)
    public Uni<Response> missing(UnauthorizedException e, RoutingContext context) {
        return challenge(context).map(challenge -> {
            if (challenge != null && challenge.status >= 300 && challenge.status < 400) {
                Response.ResponseBuilder redirect = Response.status(challenge.status);
                challenge.getHeaders().forEach((name, value) -> redirect.header(name.toString(), value));
                return redirect.build();
            }
            HttpProblem.Builder problem = Problems.builder(Response.Status.UNAUTHORIZED, "unauthorized", "Unauthorized")
                    .withDetail("a bearer access token is required");
            if (challenge != null && !challenge.getHeaders().isEmpty()) {
                challenge.getHeaders().forEach((name, value) -> problem.withHeader(name.toString(), value));
            } else {
                problem.withHeader("WWW-Authenticate", "Bearer");
            }
            return problem.build().toResponse();
        });
    }

    @ServerExceptionMapper(value = AuthenticationFailedException.class, priority = PRIORITY)
    public Response invalid(AuthenticationFailedException e) {
        return Problems.builder(Response.Status.UNAUTHORIZED, "invalid-token", "Unauthorized")
                .withDetail(e.getCause() instanceof UnreadableTokenException unreadable ? unreadable.getMessage()
                        : "the credentials are not valid here: a token expired, not yet valid, not signed by the "
                                + "issuer's published keys, or issued for another audience, or a sign-in flow that failed")
                .withHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"")
                .build().toResponse();
    }

    private static Uni<ChallengeData> challenge(RoutingContext context) {
        HttpAuthenticator authenticator = context.get(HttpAuthenticator.class.getName());
        if (authenticator == null) {
            return Uni.createFrom().nullItem();
        }
        return authenticator.getChallenge(context).onFailure().recoverWithNull();
    }
}

package dev.tollgate.auth.token.api;

import dev.tollgate.auth.token.TokenPair;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.NewCookie;
import java.time.Duration;
import java.time.Instant;
import org.jboss.resteasy.reactive.RestResponse;

/** The refresh token as browsers keep it: httpOnly, Secure, SameSite=Strict, sent only to /auth. */
@ApplicationScoped
public class RefreshCookie {

    public static final String NAME = "tollgate_refresh";

    /**
     * The token response, marked never to be cached, with the refresh cookie set when it brings a refresh token; the
     * refresh token is in the body too only when {@code inBody} (a client that keeps it itself asked for it), so
     * that script in a page never sees what the httpOnly cookie hides.
     */
    public RestResponse<TokenResponse> answer(TokenPair pair, boolean inBody) {
        RestResponse.ResponseBuilder<TokenResponse> answer = RestResponse.ResponseBuilder
                .ok(TokenResponse.of(pair, inBody));
        if (pair.refreshToken() != null) {
            answer.cookie(of(pair));
        }
        return answer.header("Cache-Control", "no-store").build();
    }

    public NewCookie of(TokenPair pair) {
        int maxAge = (int) Math.max(0, Duration.between(Instant.now(), pair.refreshExpiresAt()).toSeconds());
        return new NewCookie.Builder(NAME)
                .value(pair.refreshToken())
                .path("/auth")
                .httpOnly(true)
                .secure(true)
                .sameSite(NewCookie.SameSite.STRICT)
                .maxAge(maxAge)
                .build();
    }
}

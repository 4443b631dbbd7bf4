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

    /** The token response with the refresh cookie set (when it brings a refresh token), marked never to be cached. */
    public RestResponse<TokenResponse> answer(TokenPair pair) {
        RestResponse.ResponseBuilder<TokenResponse> answer = RestResponse.ResponseBuilder.ok(TokenResponse.of(pair));
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

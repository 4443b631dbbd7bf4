package dev.tollgate.auth.token.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tollgate.auth.token.TokenPair;
import java.util.UUID;

/** The OAuth 2.0 token response, plus the session and tenant it belongs to. */
public record TokenResponse(
        @JsonProperty("access_token") String accessToken,
        @JsonProperty("token_type") String tokenType,
        @JsonProperty("expires_in") long expiresIn,
        @JsonProperty("refresh_token") String refreshToken,
        @JsonProperty("session_id") UUID sessionId,
        @JsonProperty("tenant_id") UUID tenantId) {

    public static TokenResponse of(TokenPair pair) {
        return new TokenResponse(pair.accessToken(), "Bearer", pair.expiresIn(), pair.refreshToken(), pair.sessionId(),
                pair.tenantId());
    }
}

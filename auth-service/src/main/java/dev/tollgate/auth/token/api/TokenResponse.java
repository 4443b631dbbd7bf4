package dev.tollgate.auth.token.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tollgate.auth.token.ServiceGrants;
import dev.tollgate.auth.token.TokenPair;
import java.util.UUID;

/** The OAuth 2.0 token response; a session's also names the session and its tenant. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TokenResponse(
        @JsonProperty("access_token") String accessToken,
        @JsonProperty("token_type") String tokenType,
        @JsonProperty("expires_in") long expiresIn,
        @JsonProperty("refresh_token") String refreshToken,
        @JsonProperty("scope") String scope,
        @JsonProperty("issued_token_type") String issuedTokenType,
        @JsonProperty("session_id") UUID sessionId,
        @JsonProperty("tenant_id") UUID tenantId) {

    /** A session's answer; the refresh token only with {@code withRefreshToken} (it is in the cookie anyway). */
    public static TokenResponse of(TokenPair pair, boolean withRefreshToken) {
        return new TokenResponse(pair.accessToken(), "Bearer", pair.expiresIn(),
                withRefreshToken ? pair.refreshToken() : null, null, null, pair.sessionId(), pair.tenantId());
    }

    static TokenResponse of(ServiceGrants.Issued issued, String issuedTokenType) {
        return new TokenResponse(issued.accessToken(), "Bearer", issued.expiresIn(), null, issued.scope(),
                issuedTokenType, null, null);
    }
}

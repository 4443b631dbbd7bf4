package dev.tollgate.auth.security;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** A bearer access token to verify. */
public final class AccessTokenRequest extends BaseAuthenticationRequest {

    private final String token;

    public AccessTokenRequest(String token) {
        this.token = token;
    }

    public String token() {
        return token;
    }
}

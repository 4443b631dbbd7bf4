package dev.tollgate.generation.apikey;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** A Tollgate API key presented as a bearer credential. */
public class ApiKeyRequest extends BaseAuthenticationRequest {

    private final String key;

    public ApiKeyRequest(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }
}

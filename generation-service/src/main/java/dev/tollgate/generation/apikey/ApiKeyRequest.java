package dev.tollgate.generation.apikey;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** A Tollgate API key presented as a bearer credential. */
public class ApiKeyRequest extends BaseAuthenticationRequest {

    private final String key;
    private final String client;

    /** {@code client} is the address of the client that presented the key. */
    public ApiKeyRequest(String key, String client) {
        this.key = key;
        this.client = client;
    }

    public String key() {
        return key;
    }

    public String client() {
        return client;
    }
}

package dev.tollgate.generation.apikey;

import dev.tollgate.common.security.Caller;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Set;

/**
 * Turns a verified API key into the caller it stands for: an API-key {@link Caller} of its user in its tenant with
 * exactly the key's scopes, the same caller a token exchanged for the key gives. Whether the key's scopes suffice is
 * each endpoint's {@link dev.tollgate.common.security.Access} policy (403 naming the missing scope), not this.
 */
@ApplicationScoped
public class ApiKeyIdentityProvider implements IdentityProvider<ApiKeyRequest> {

    private final VerifiedKeys keys;

    public ApiKeyIdentityProvider(VerifiedKeys keys) {
        this.keys = keys;
    }

    @Override
    public Class<ApiKeyRequest> getRequestType() {
        return ApiKeyRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(ApiKeyRequest request, AuthenticationRequestContext context) {
        return keys.verify(request.key(), request.client()).map(key -> {
            if (key == null) {
                throw new AuthenticationFailedException("the API key is unknown, revoked or expired");
            }
            Caller caller = Caller.apiKey(key.userId(), key.tenantId(), Set.copyOf(key.scopes()), key.keyId(),
                    Instant.now());
            return QuarkusSecurityIdentity.builder()
                    .setPrincipal(new QuarkusPrincipal(key.userId().toString()))
                    .addAttribute(Caller.ATTRIBUTE, caller)
                    .build();
        });
    }
}

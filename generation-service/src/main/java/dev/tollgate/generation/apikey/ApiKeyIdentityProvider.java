package dev.tollgate.generation.apikey;

import dev.tollgate.common.security.Caller;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.jwt.auth.principal.DefaultJWTCallerPrincipal;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.jose4j.jwt.JwtClaims;

/**
 * Turns a verified API key into the caller it stands for: its user in its tenant with the role {@code api-key}
 * and the key's scopes, the same claims auth-service puts in a token exchanged for the key, so everything after
 * authentication treats both alike. A key without the {@code generate} scope is refused here.
 */
@ApplicationScoped
public class ApiKeyIdentityProvider implements IdentityProvider<ApiKeyRequest> {

    public static final String API_KEY_ROLE = "api-key";
    public static final String GENERATE_SCOPE = "generate";

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
        return keys.verify(request.key()).map(key -> {
            if (key == null) {
                throw new AuthenticationFailedException("the API key is unknown, revoked or expired");
            }
            if (!key.scopes().contains(GENERATE_SCOPE)) {
                throw new AuthenticationFailedException("the API key lacks the 'generate' scope");
            }
            JwtClaims claims = new JwtClaims();
            claims.setSubject(key.userId().toString());
            claims.setClaim(Caller.TENANT_CLAIM, key.tenantId().toString());
            claims.setClaim(Caller.ROLES_CLAIM, List.of(API_KEY_ROLE));
            claims.setClaim(Caller.SCOPE_CLAIM, String.join(" ", key.scopes()));
            claims.setClaim("akid", key.keyId().toString());
            claims.setClaim("upn", key.userId().toString());
            return QuarkusSecurityIdentity.builder()
                    .setPrincipal(new DefaultJWTCallerPrincipal(claims))
                    .addRole(API_KEY_ROLE)
                    .addAttribute("api-key-id", key.keyId())
                    .build();
        });
    }
}

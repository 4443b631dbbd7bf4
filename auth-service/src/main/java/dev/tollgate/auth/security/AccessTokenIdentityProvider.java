package dev.tollgate.auth.security;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.credential.TokenCredential;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Turns a verified access token into the request's identity: the token is the principal, its roles the roles. */
@ApplicationScoped
public class AccessTokenIdentityProvider implements IdentityProvider<AccessTokenRequest> {

    private final AccessTokenVerifier verifier;

    public AccessTokenIdentityProvider(AccessTokenVerifier verifier) {
        this.verifier = verifier;
    }

    @Override
    public Class<AccessTokenRequest> getRequestType() {
        return AccessTokenRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(AccessTokenRequest request, AuthenticationRequestContext context) {
        return verifier.verify(request.token())
                .map(principal -> (SecurityIdentity) QuarkusSecurityIdentity.builder()
                        .setPrincipal(principal)
                        .addRoles(principal.getGroups())
                        .addCredential(new TokenCredential(request.token(), "bearer"))
                        .build())
                .onFailure(e -> !(e instanceof AuthenticationFailedException))
                .transform(e -> new AuthenticationFailedException(e.getMessage(), e));
    }
}

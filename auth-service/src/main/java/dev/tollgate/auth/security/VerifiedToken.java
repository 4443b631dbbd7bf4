package dev.tollgate.auth.security;

import dev.tollgate.common.security.Caller;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;

/** A verified access token as the request's principal, with the claims as jose4j read them. */
final class VerifiedToken implements JsonWebToken {

    private final String raw;
    private final JwtClaims claims;

    VerifiedToken(String raw, JwtClaims claims) {
        this.raw = raw;
        this.claims = claims;
    }

    @Override
    public String getName() {
        return getSubject();
    }

    @Override
    public String getRawToken() {
        return raw;
    }

    @Override
    public String getSubject() {
        try {
            return claims.getSubject();
        } catch (MalformedClaimException e) {
            return null;
        }
    }

    @Override
    public Set<String> getGroups() {
        Object roles = claims.getClaimValue(Caller.ROLES_CLAIM);
        Set<String> groups = new HashSet<>();
        if (roles instanceof List<?> list) {
            list.forEach(role -> groups.add(String.valueOf(role)));
        }
        return groups;
    }

    @Override
    public Set<String> getClaimNames() {
        return new HashSet<>(claims.getClaimNames());
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getClaim(String claimName) {
        return (T) claims.getClaimValue(claimName);
    }
}

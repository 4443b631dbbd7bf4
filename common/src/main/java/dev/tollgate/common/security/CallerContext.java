package dev.tollgate.common.security;

import dev.tollgate.common.error.Problems;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The caller of the current request, read from the access token that the service's security layer has
 * already verified (smallrye-jwt in most services, auth-service's own verifier in auth-service). This class
 * checks no signature itself.
 */
@RequestScoped
public class CallerContext {

    private final SecurityIdentity identity;

    public CallerContext(SecurityIdentity identity) {
        this.identity = identity;
    }

    /** The caller, or empty for an anonymous request. */
    public Optional<Caller> current() {
        if (identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            return Optional.empty();
        }
        return Optional.of(toCaller(jwt));
    }

    /** The caller; an anonymous request is answered 401. */
    public Caller require() {
        return current().orElseThrow(() -> Problems.unauthorized("a bearer access token is required"));
    }

    /** Reads the claims Tollgate puts in access tokens; a token without them is answered 401. */
    public static Caller toCaller(JsonWebToken jwt) {
        String tenant = unquote(String.valueOf(jwt.<Object> getClaim(Caller.TENANT_CLAIM)));
        if (jwt.getClaim(Caller.TENANT_CLAIM) == null) {
            throw Problems.unauthorized("the access token names no tenant (claim 'tid')");
        }
        try {
            Object session = jwt.getClaim(Caller.SESSION_CLAIM);
            return new Caller(UUID.fromString(jwt.getSubject()), UUID.fromString(tenant),
                    stringSet(jwt.getClaim(Caller.ROLES_CLAIM)), scopes(jwt.getClaim(Caller.SCOPE_CLAIM)),
                    session == null ? null : UUID.fromString(unquote(session.toString())));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw Problems.unauthorized("the access token's subject and tenant must be UUIDs");
        }
    }

    private static Set<String> stringSet(Object raw) {
        Set<String> values = new HashSet<>();
        if (raw instanceof Iterable<?> items) {
            items.forEach(item -> values.add(unquote(String.valueOf(item))));
        } else if (raw != null) {
            values.add(unquote(raw.toString()));
        }
        return values;
    }

    private static Set<String> scopes(Object raw) {
        if (raw == null) {
            return Set.of();
        }
        return new HashSet<>(Arrays.asList(unquote(raw.toString()).trim().split("\\s+")));
    }

    /** smallrye-jwt hands non-standard claims over as JSON values, strings with their quotes. */
    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1)
                : value;
    }
}

package dev.tollgate.common.tenant;

import dev.tollgate.common.error.Problems;
import jakarta.enterprise.context.RequestScoped;
import jakarta.enterprise.inject.Instance;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The caller of the current request, read from the access token that the service's JWT layer (smallrye-jwt
 * or quarkus-oidc, chosen per service) has already verified. This class checks no signature itself.
 */
@RequestScoped
public class CallerContext {

    private final Instance<JsonWebToken> token;

    public CallerContext(Instance<JsonWebToken> token) {
        this.token = token;
    }

    /** The caller, or empty for an anonymous request. */
    public Optional<Caller> current() {
        if (!token.isResolvable()) {
            return Optional.empty();
        }
        JsonWebToken jwt = token.get();
        if (jwt.getRawToken() == null || jwt.getSubject() == null) {
            return Optional.empty();
        }
        return Optional.of(toCaller(jwt));
    }

    /** The caller; an anonymous request or a token without a tenant is answered 401. */
    public Caller require() {
        return current().orElseThrow(() -> Problems.unauthorized("a bearer access token with a tenant is required"));
    }

    static Caller toCaller(JsonWebToken jwt) {
        String tenant = jwt.getClaim(Caller.TENANT_CLAIM);
        if (tenant == null) {
            throw Problems.unauthorized("the access token names no tenant (claim 'tid')");
        }
        try {
            return new Caller(UUID.fromString(jwt.getSubject()), UUID.fromString(tenant), stringSet(jwt, Caller.ROLES_CLAIM),
                    scopes(jwt));
        } catch (IllegalArgumentException e) {
            throw Problems.unauthorized("the access token's subject and tenant must be UUIDs");
        }
    }

    private static Set<String> stringSet(JsonWebToken jwt, String claim) {
        Set<String> values = new HashSet<>();
        Object raw = jwt.getClaim(claim);
        if (raw instanceof Iterable<?> items) {
            items.forEach(item -> values.add(unquote(String.valueOf(item))));
        } else if (raw != null) {
            values.add(unquote(raw.toString()));
        }
        return values;
    }

    private static Set<String> scopes(JsonWebToken jwt) {
        Object raw = jwt.getClaim(Caller.SCOPE_CLAIM);
        if (raw == null) {
            return Set.of();
        }
        return new HashSet<>(Arrays.asList(unquote(raw.toString()).trim().split("\\s+")));
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
    }
}

package dev.tollgate.auth.social;

import io.quarkus.oidc.TenantResolver;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Picks the quarkus-oidc tenant for {@code /auth/social/<provider>/...}: the provider's name. Every other path
 * has no OIDC tenant, and auth-service's own bearer mechanism handles it.
 */
@ApplicationScoped
public class SocialTenantResolver implements TenantResolver {

    static final String PREFIX = "/auth/social/";

    @Override
    public String resolve(RoutingContext context) {
        String path = context.normalizedPath();
        if (!path.startsWith(PREFIX)) {
            return null;
        }
        int end = path.indexOf('/', PREFIX.length());
        return end < 0 ? path.substring(PREFIX.length()) : path.substring(PREFIX.length(), end);
    }
}

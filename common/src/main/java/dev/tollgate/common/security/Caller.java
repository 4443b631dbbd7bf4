package dev.tollgate.common.security;

import java.util.Set;
import java.util.UUID;

/**
 * Who is calling, as a verified access token says: the user, the tenant the token was issued for, and the
 * caller's roles in that tenant, and the sign-in session the token belongs to (absent for service and API-key
 * tokens). Repositories filter every tenant-owned query by {@link #tenantId()}.
 */
public record Caller(UUID userId, UUID tenantId, Set<String> roles, Set<String> scopes, UUID sessionId) {

    public static final String TENANT_CLAIM = "tid";
    public static final String ROLES_CLAIM = "roles";
    public static final String SCOPE_CLAIM = "scope";
    public static final String SESSION_CLAIM = "sid";
    /** When the user signed in (OpenID Connect's {@code auth_time}, Unix seconds); on session tokens only. */
    public static final String AUTH_TIME_CLAIM = "auth_time";

    public Caller {
        roles = Set.copyOf(roles);
        scopes = Set.copyOf(scopes);
    }
}

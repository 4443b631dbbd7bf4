package dev.tollgate.common.security;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * Who is calling, as the service's identity provider verified it, carried on the request's security identity
 * ({@link #ATTRIBUTE}): the kind of credential, the user and the tenant it acts in, the user's roles there, the
 * scopes it carries, what it is bound to (the sign-in session, the API key, or the service client), and when its
 * credential was issued (a role changed since is not trusted) and under which signing key ({@code kid}; none for a
 * raw API key).
 * Repositories filter every tenant-owned query by {@link #tenantId()}; a service's token has neither user nor
 * tenant.
 */
public record Caller(CredentialKind kind, UUID userId, UUID tenantId, Set<String> roles, Set<String> scopes,
        UUID sessionId, UUID apiKeyId, String client, Instant issuedAt, String signingKeyId) {

    /** The security identity's attribute that holds the caller. */
    public static final String ATTRIBUTE = "tollgate.caller";

    public static final String TENANT_CLAIM = "tid";
    public static final String ROLES_CLAIM = "roles";
    public static final String SCOPE_CLAIM = "scope";
    public static final String SESSION_CLAIM = "sid";
    /** The API key a token was exchanged from. */
    public static final String API_KEY_CLAIM = "akid";
    /** When the user signed in (OpenID Connect's {@code auth_time}, Unix seconds); on session tokens only. */
    public static final String AUTH_TIME_CLAIM = "auth_time";
    /** How a client-credentials token names its client: {@code sub = service:<client>}. */
    public static final String SERVICE_SUBJECT_PREFIX = "service:";

    public Caller {
        roles = Set.copyOf(roles);
        scopes = Set.copyOf(scopes);
    }

    /** A user's sign-in session in a tenant, with their role there. */
    public static Caller session(UUID userId, UUID tenantId, Set<String> roles, UUID sessionId, boolean operator,
            Instant issuedAt) {
        return new Caller(operator ? CredentialKind.OPERATOR : CredentialKind.SESSION, userId, tenantId, roles,
                Set.of(), sessionId, null, null, issuedAt, null);
    }

    /** An API key of {@code userId} in {@code tenantId}, or a token exchanged from it: the key's scopes only. */
    public static Caller apiKey(UUID userId, UUID tenantId, Set<String> scopes, UUID apiKeyId, Instant issuedAt) {
        return new Caller(CredentialKind.API_KEY, userId, tenantId, Set.of(), scopes, null, apiKeyId, null, issuedAt, null);
    }

    /** Another Tollgate service, by its client id. */
    public static Caller service(String client, Set<String> scopes) {
        return new Caller(CredentialKind.SERVICE, null, null, Set.of(), scopes, null, null, client, null, null);
    }

    /**
     * The user a background run acts for when it is taken over after its replica died: no credential is
     * presented, so no policy is checked; the run was admitted for this user and tenant before.
     */
    public static Caller resumedFor(UUID userId, UUID tenantId) {
        return new Caller(CredentialKind.SESSION, userId, tenantId, Set.of(), Set.of(), null, null, null, null, null);
    }

    /** The same caller, known to hold a token signed with {@code kid}. */
    public Caller signedWith(String kid) {
        return new Caller(kind, userId, tenantId, roles, scopes, sessionId, apiKeyId, client, issuedAt, kid);
    }

    /** A signed-in session, an operator's included. */
    public boolean isSession() {
        return kind == CredentialKind.SESSION || kind == CredentialKind.OPERATOR;
    }

    public boolean isApiKey() {
        return kind == CredentialKind.API_KEY;
    }

    public boolean hasScope(Scope scope) {
        return scopes.contains(scope.value());
    }

    /** The highest tenant role the caller holds, or null (keys and services hold none). */
    public Role role() {
        Role best = null;
        for (String name : roles) {
            Role role = Role.of(name);
            if (role != null && (best == null || role.covers(best))) {
                best = role;
            }
        }
        return best;
    }
}

package dev.tollgate.auth.tenant;

import io.smallrye.mutiny.Uni;
import java.util.UUID;

/**
 * What leaving a tenant does to the member's API keys there, answered by the API-key feature (which depends on
 * tenants, not the reverse): they are revoked in the same transaction and announced, so no service honours them.
 */
public interface MemberKeys {

    /** Revokes the user's active keys in the tenant; answers how many. Runs in the caller's transaction. */
    Uni<Integer> revokeAll(UUID tenantId, UUID userId, String reason);
}

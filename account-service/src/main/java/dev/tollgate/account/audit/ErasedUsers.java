package dev.tollgate.account.audit;

import io.smallrye.mutiny.Uni;
import java.util.UUID;

/**
 * What the audit log needs to know of erasures, answered by the erasure feature (which depends on the log, not the
 * reverse): the id of a user's erasure request, whose pseudonym replaces them in the log, and the tenants deleted.
 */
public interface ErasedUsers {

    /** The id of the user's erasure request, or null if they never asked; runs in the caller's session. */
    Uni<UUID> erasureOf(UUID userId);

    /** Whether the tenant was deleted with its owner's erasure (its entries are gone; none is kept again). */
    Uni<Boolean> tenantErased(UUID tenantId);
}

package dev.tollgate.account.erasure;

import dev.tollgate.account.audit.ErasedUsers;
import dev.tollgate.account.erasure.repository.DeletionRepository;
import dev.tollgate.common.error.Problems;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.util.UUID;

/**
 * Refuses to store anything new about a user who asked to be erased: their access token outlives the request by
 * minutes, and a profile or export made then would never be erased. Tells the audit log whose entries go under a
 * pseudonym.
 */
@ApplicationScoped
public class ErasedAccounts implements ErasedUsers {

    private final DeletionRepository deletions;

    public ErasedAccounts(DeletionRepository deletions) {
        this.deletions = deletions;
    }

    @Override
    public Uni<UUID> erasureOf(UUID userId) {
        return deletions.ofUser(userId).map(request -> request == null ? null : request.id);
    }

    @Override
    public Uni<Boolean> tenantErased(UUID tenantId) {
        return deletions.tenantErased(tenantId);
    }

    /** Fails with 410 {@code account-deleted} if the user asked to be erased; runs in the caller's session. */
    public Uni<Void> requireActive(UUID userId) {
        return deletions.ofUser(userId).invoke(request -> {
            if (request != null) {
                throw Problems.builder(Response.Status.GONE, "account-deleted", "Account Deleted")
                        .withDetail("this account is being erased (deletion " + request.id + "); nothing new is kept")
                        .build();
            }
        }).replaceWithVoid();
    }
}

package dev.tollgate.auth.tenant;

import java.time.Instant;
import java.util.UUID;

/** A member of a tenant as the other members see them. */
public record MemberView(UUID userId, String email, String role, Instant since) {
}

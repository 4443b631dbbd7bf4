package dev.tollgate.generation.erasure;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * A user erased here ({@code erased_users}, written by {@link EraseGenerations}): read by primary key on each
 * generation, so that one still being answered when its user was erased is not stored.
 */
@Entity
@Table(name = "erased_users")
public class ErasedUser {

    @Id
    @Column(name = "user_id")
    public UUID userId;

    @Column(name = "deletion_id", nullable = false)
    public UUID deletionId;

    @Column(name = "erased_at", nullable = false)
    public Instant erasedAt;
}

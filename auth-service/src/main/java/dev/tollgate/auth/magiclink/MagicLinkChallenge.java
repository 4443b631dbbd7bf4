package dev.tollgate.auth.magiclink;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A sign-in link sent by mail, by the hash of its token; spent once, when the user confirms it. */
@Entity
@Table(name = "magic_link_challenges")
public class MagicLinkChallenge extends PanacheEntityBase {

    @Id
    @Column(name = "token_hash")
    public String tokenHash;

    @Column(nullable = false)
    public String email;

    public String redirect;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "expires_at", nullable = false)
    public Instant expiresAt;

    @Column(name = "spent_at")
    public Instant spentAt;
}

package dev.tollgate.auth.social;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.UUID;

/** A user's account at a social sign-in provider, by the provider's own subject id. */
@Entity
@Table(name = "oauth_identities")
@IdClass(OAuthIdentity.Key.class)
public class OAuthIdentity extends PanacheEntityBase {

    @Id
    public String provider;

    @Id
    public String subject;

    @Column(name = "user_id", nullable = false)
    public UUID userId;

    @Column(nullable = false)
    public String email;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "last_sign_in_at")
    public Instant lastSignInAt;

    public record Key(String provider, String subject) implements Serializable {
        public Key() {
            this(null, null);
        }
    }
}

package dev.tollgate.auth.signing;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A key pair that signs access tokens; its public half is published in the JWKS until its tokens expire. */
@Entity
@Table(name = "signing_keys")
public class SigningKey extends PanacheEntityBase {

    @Id
    public String kid;

    @Column(nullable = false)
    public String algorithm;

    @Column(name = "public_jwk", nullable = false)
    public String publicJwk;

    /** The PKCS#8 private key, encrypted by {@link KeyVault}. */
    @Column(name = "private_key", nullable = false)
    public String privateKey;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "retired_at")
    public Instant retiredAt;

    @Column(name = "published_until")
    public Instant publishedUntil;
}

package dev.tollgate.auth.signing.repository;

import dev.tollgate.auth.signing.SigningKey;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;

@ApplicationScoped
public class SigningKeyRepository implements PanacheRepositoryBase<SigningKey, String> {

    /** Serialises key creation and rotation across replicas for the rest of the transaction. */
    public Uni<Void> lockRotation() {
        return getSession().flatMap(session -> session
                .createNativeQuery("select cast(pg_advisory_xact_lock(hashtext('tollgate.auth.signing-keys')) as text)")
                .getSingleResult())
                .replaceWithVoid();
    }

    /** The newest key that still signs, or null. */
    public Uni<SigningKey> findSigning() {
        return find("retiredAt is null order by createdAt desc").firstResult();
    }

    /** The keys verifiers need: the signing one and retired ones whose tokens may still be valid. */
    public Uni<List<SigningKey>> listPublished(Instant now) {
        return list("publishedUntil is null or publishedUntil > ?1 order by createdAt desc", now);
    }
}

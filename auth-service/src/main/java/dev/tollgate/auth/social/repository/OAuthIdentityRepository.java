package dev.tollgate.auth.social.repository;

import dev.tollgate.auth.social.OAuthIdentity;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class OAuthIdentityRepository implements PanacheRepositoryBase<OAuthIdentity, OAuthIdentity.Key> {
}

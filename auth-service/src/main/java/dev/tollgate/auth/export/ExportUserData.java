package dev.tollgate.auth.export;

import dev.tollgate.auth.apikey.ApiKey;
import dev.tollgate.auth.social.OAuthIdentity;
import dev.tollgate.auth.tenant.Membership;
import dev.tollgate.auth.token.RefreshFamily;
import dev.tollgate.auth.user.User;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What auth-service holds about a user, for their export (GDPR Art. 15/20): the account, memberships, sign-in
 * sessions, API keys and linked sign-in providers. Secrets (key hashes, refresh tokens) are never part of it.
 */
@ApplicationScoped
public class ExportUserData {

    public record UserData(Account account, List<TenantMembership> memberships, List<Session> sessions,
            List<Key> apiKeys, List<Identity> identities) {
    }

    public record Account(UUID id, String email, Instant createdAt, Instant lastSignInAt) {
    }

    public record TenantMembership(UUID tenantId, String role, Instant since) {
    }

    public record Session(UUID id, UUID tenantId, Instant signedInAt, Instant lastUsedAt, String userAgent, String ip,
            Instant endedAt, String endedBecause) {
    }

    public record Key(UUID id, UUID tenantId, String name, String prefix, List<String> scopes, Instant createdAt,
            Instant expiresAt, Instant lastUsedAt, Instant revokedAt) {
    }

    public record Identity(String provider, String email, Instant linkedAt, Instant lastSignInAt) {
    }

    /** The user's data; null if auth-service knows no such user. */
    public Uni<UserData> of(UUID userId) {
        return Panache.withSession(() -> User.<User> findById(userId).chain(user -> user == null
                ? Uni.createFrom().nullItem()
                : Membership.<Membership> list("userId = ?1 order by createdAt", userId)
                        .chain(memberships -> RefreshFamily.<RefreshFamily> list("userId = ?1 order by createdAt", userId)
                                .chain(sessions -> ApiKey.<ApiKey> list("userId = ?1 order by createdAt", userId)
                                        .chain(keys -> OAuthIdentity
                                                .<OAuthIdentity> list("userId = ?1 order by createdAt", userId)
                                                .map(identities -> new UserData(
                                                        new Account(user.id, user.email, user.createdAt, user.lastSignInAt),
                                                        memberships.stream().map(m -> new TenantMembership(m.tenantId, m.role,
                                                                m.createdAt)).toList(),
                                                        sessions.stream().map(s -> new Session(s.id, s.tenantId, s.createdAt,
                                                                s.lastUsedAt, s.userAgent, s.ip, s.revokedAt, s.revokedReason))
                                                                .toList(),
                                                        keys.stream().map(k -> new Key(k.id, k.tenantId, k.name, k.prefix,
                                                                k.scopeList(),
                                                                k.createdAt, k.expiresAt, k.lastUsedAt, k.revokedAt)).toList(),
                                                        identities.stream().map(i -> new Identity(i.provider, i.email,
                                                                i.createdAt, i.lastSignInAt)).toList())))))));
    }
}

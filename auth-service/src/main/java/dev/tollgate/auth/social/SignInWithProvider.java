package dev.tollgate.auth.social;

import dev.tollgate.auth.social.repository.OAuthIdentityRepository;
import dev.tollgate.auth.token.Sessions;
import dev.tollgate.auth.token.TokenPair;
import dev.tollgate.auth.user.ProvisionUser;
import dev.tollgate.auth.user.repository.UserRepository;
import dev.tollgate.common.error.Problems;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Locale;
import org.jboss.logging.Logger;

/**
 * Signs in the user behind a provider account that quarkus-oidc has just verified. A known account signs in
 * its user; a new one is linked to the user with the same address, or creates one, but only when the provider
 * says the address is verified (otherwise anyone could claim someone else's address at a lax provider).
 */
@ApplicationScoped
public class SignInWithProvider {

    private static final Logger LOG = Logger.getLogger(SignInWithProvider.class);

    private final OAuthIdentityRepository identities;
    private final UserRepository users;
    private final ProvisionUser provision;
    private final Sessions sessions;
    private final MeterRegistry registry;

    public SignInWithProvider(OAuthIdentityRepository identities, UserRepository users, ProvisionUser provision,
            Sessions sessions, MeterRegistry registry) {
        this.identities = identities;
        this.users = users;
        this.provision = provision;
        this.sessions = sessions;
        this.registry = registry;
    }

    /** What the provider vouched for. */
    public record ProviderAccount(String provider, String subject, String email, boolean emailVerified) {
    }

    public Uni<TokenPair> signIn(ProviderAccount account, String userAgent, String ip) {
        if (account.email() == null || !account.emailVerified()) {
            registry.counter("tollgate.auth.sign_ins", "method", account.provider(), "outcome", "unverified-email")
                    .increment();
            return Uni.createFrom().failure(Problems.forbidden(account.provider()
                    + " did not vouch for a verified email address; verify it there, or sign in by mail"));
        }
        String email = account.email().trim().toLowerCase(Locale.ROOT);
        return Panache.withTransaction(() -> identities.findById(new OAuthIdentity.Key(account.provider(),
                account.subject()))
                .chain(identity -> identity != null
                        ? users.findById(identity.userId).chain(provision::signedIn)
                                .invoke(() -> identity.lastSignInAt = Instant.now())
                        : provision.signedIn(email).call(membership -> identities.persist(link(account, email,
                                membership.userId))))
                .chain(membership -> sessions.start(membership, userAgent, ip)
                        .invoke(pair -> LOG.infof("audit: user %s signed in to tenant %s with %s (session %s)",
                                membership.userId, membership.tenantId, account.provider(), pair.sessionId()))))
                .invoke(() -> registry.counter("tollgate.auth.sign_ins", "method", account.provider(),
                        "outcome", "signed-in").increment());
    }

    private static OAuthIdentity link(ProviderAccount account, String email, java.util.UUID userId) {
        OAuthIdentity identity = new OAuthIdentity();
        identity.provider = account.provider();
        identity.subject = account.subject();
        identity.userId = userId;
        identity.email = email;
        identity.createdAt = Instant.now();
        identity.lastSignInAt = identity.createdAt;
        return identity;
    }
}

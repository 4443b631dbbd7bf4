package dev.tollgate.auth.erasure;

import dev.tollgate.common.event.AccountDeleted;
import dev.tollgate.common.event.AccountPurged;
import dev.tollgate.common.event.ApiKeyRevoked;
import dev.tollgate.common.event.MemberChanged;
import dev.tollgate.common.outbox.Outbox;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/**
 * Erases what auth-service holds about a user: their sign-in identities, sessions, API keys, memberships,
 * pending invitations and sign-in links, and the user. The tenants the request names (those the user alone owned
 * when they asked, held unchanged since) are deleted with everything in them. The user's API keys are announced revoked, and
 * the receipt ({@code account.purged})
 * goes out through the outbox in the same transaction. Runs inside the inbox's transaction.
 */
@ApplicationScoped
public class EraseAccount {

    public static final String SERVICE = "auth";
    private static final Logger LOG = Logger.getLogger(EraseAccount.class);

    private final Outbox outbox;

    public EraseAccount(Outbox outbox) {
        this.outbox = outbox;
    }

    public Uni<Void> erase(AccountDeleted request) {
        if (!request.addressedTo(SERVICE)) {
            return Uni.createFrom().voidItem();
        }
        UUID user = request.userId();
        Map<String, Long> counts = new LinkedHashMap<>();
        // the tenants fixed when the user asked (schema 2); an older request names none, so they are found now
        return Panache.getSession().chain(session -> (request.tenantsDeleted() != null
                ? Uni.createFrom().item(request.tenantsDeleted())
                : soleOwnerTenants(session, user))
                .chain(tenants -> revokedKeys(session, user, tenants)
                        .chain(keys -> announce(keys).invoke(() -> counts.put("api_keys", (long) keys.size())))
                        .chain(() -> endedMemberships(session, user, tenants))
                        .chain(this::announceLeft)
                        .chain(() -> delete(session, counts, "sessions",
                                "delete from {h-schema}refresh_families where user_id = :user", "user", user))
                        .chain(() -> delete(session, counts, null,
                                "delete from {h-schema}api_keys where user_id = :user", "user", user))
                        .chain(() -> delete(session, counts, "memberships",
                                "delete from {h-schema}memberships where user_id = :user", "user", user))
                        .chain(() -> delete(session, counts, "oauth_identities",
                                "delete from {h-schema}oauth_identities where user_id = :user", "user", user))
                        .chain(() -> delete(session, counts, "invitations", "delete from {h-schema}invitations "
                                + "where email = (select email from {h-schema}users where id = :user)", "user", user))
                        .chain(() -> delete(session, counts, "magic_links", "delete from {h-schema}magic_link_challenges "
                                + "where email = (select email from {h-schema}users where id = :user)", "user", user))
                        // what is left in the tenants the user alone owned goes with them
                        .chain(() -> delete(session, counts, "tenants",
                                "delete from {h-schema}tenants where id = any(:ids)", "ids", tenants.toArray(UUID[]::new))))
                .chain(() -> delete(session, counts, "users", "delete from {h-schema}users where id = :user", "user", user)))
                .chain(() -> {
                    LOG.infof("audit: erased user %s for deletion %s: %s", user, request.deletionId(), counts);
                    return outbox.append(AccountPurged.of(request, SERVICE, counts));
                });
    }

    /** Tenants in which the user is an owner and no one else is. */
    @SuppressWarnings("unchecked")
    private static Uni<List<UUID>> soleOwnerTenants(Mutiny.Session session, UUID user) {
        return session.createNativeQuery("select m.tenant_id from {h-schema}memberships m where m.user_id = :user "
                + "and m.role = 'owner' and not exists (select 1 from {h-schema}memberships o "
                + "where o.tenant_id = m.tenant_id and o.role = 'owner' and o.user_id <> :user)", UUID.class)
                .setParameter("user", user)
                .getResultList()
                .map(rows -> (List<UUID>) (List<?>) rows);
    }

    /** The keys that stop working: the user's own, and every key of the tenants about to be deleted. */
    private static Uni<List<Object[]>> revokedKeys(Mutiny.Session session, UUID user, List<UUID> tenants) {
        return session.createNativeQuery("select id, tenant_id, prefix from {h-schema}api_keys "
                + "where (user_id = :user or tenant_id = any(:tenants)) "
                + "and (revoked_at is null or revoked_at > now())", Object[].class)
                .setParameter("user", user)
                .setParameter("tenants", tenants.toArray(UUID[]::new))
                .getResultList();
    }

    /**
     * The other members' memberships that end with the tenants about to be deleted. The erased user's own are not
     * announced: their token must still read how their erasure goes, and every service already refuses to keep
     * anything new about them.
     */
    private static Uni<List<Object[]>> endedMemberships(Mutiny.Session session, UUID user, List<UUID> tenants) {
        return session.createNativeQuery("select tenant_id, user_id from {h-schema}memberships "
                + "where user_id <> :user and tenant_id = any(:tenants)", Object[].class)
                .setParameter("user", user)
                .setParameter("tenants", tenants.toArray(UUID[]::new))
                .getResultList();
    }

    /** Every service stops trusting those members' tokens in those tenants, one outbox write after another. */
    private Uni<Void> announceLeft(List<Object[]> memberships) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Object[] membership : memberships) {
            chain = chain.chain(() -> outbox.append(MemberChanged.of((UUID) membership[0], (UUID) membership[1], null)));
        }
        return chain;
    }

    /** One outbox write after another: a reactive session serves one operation at a time. */
    private Uni<Void> announce(List<Object[]> keys) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Object[] key : keys) {
            chain = chain.chain(() -> outbox.append(ApiKeyRevoked.of((UUID) key[1], (UUID) key[0], (String) key[2])));
        }
        return chain;
    }

    /** Runs a delete and counts its rows under {@code what} (null: already counted another way). */
    private static Uni<Void> delete(Mutiny.Session session, Map<String, Long> counts, String what, String sql,
            String parameter, Object value) {
        return session.createNativeQuery(sql).setParameter(parameter, value).executeUpdate()
                .invoke(deleted -> {
                    if (what != null) {
                        counts.merge(what, (long) deleted, Long::sum);
                    }
                })
                .replaceWithVoid();
    }
}

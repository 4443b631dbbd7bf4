package dev.tollgate.account.notification;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/**
 * Records one notification mail, once per key, in the caller's transaction: a key already recorded records nothing
 * (a redelivered event, a retried transaction). {@link SendNotifications} sends what was recorded once the
 * transaction has committed, so nothing that rolls back has sent a mail, and a mail server that is away delays the
 * mail instead of losing it.
 */
@ApplicationScoped
public class Notify {

    /** Forgets which mails the user was sent, and drops those not sent yet (erasure); answers how many records went. */
    public Uni<Integer> erase(UUID userId) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                "delete from {h-schema}notifications where user_id = :user")
                .setParameter("user", userId).executeUpdate());
    }

    /**
     * Records {@code subject} and {@code text} for {@code to} unless {@code key} was recorded before, or the user has
     * asked for their erasure (nothing new is kept about them); needs a transaction.
     */
    public Uni<Void> once(String key, String kind, UUID userId, String to, String subject, String text) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                insert into {h-schema}notifications (key, user_id, kind, recipient, subject, body)
                select :key, cast(:user as uuid), :kind, :to, :subject, :body
                 where cast(:user as uuid) is null
                    or not exists (select 1 from {h-schema}deletion_requests where user_id = cast(:user as uuid))
                on conflict do nothing""")
                .setParameter("key", key)
                .setParameter("user", userId)
                .setParameter("kind", kind)
                .setParameter("to", to)
                .setParameter("subject", subject)
                .setParameter("body", text)
                .executeUpdate())
                .replaceWithVoid();
    }
}

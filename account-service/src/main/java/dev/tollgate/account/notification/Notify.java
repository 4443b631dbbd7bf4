package dev.tollgate.account.notification;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Sends one notification mail, once per key: a key already recorded sends nothing (a redelivered event, a
 * second pass). The mail goes first and the key is recorded after it, so a crash in between may send it twice. A
 * mail the server refuses or cannot take is logged and counted ({@code outcome="failed"}) and the cause goes on.
 */
@ApplicationScoped
public class Notify {

    private static final Logger LOG = Logger.getLogger(Notify.class);

    private final ReactiveMailer mailer;
    private final MeterRegistry registry;

    public Notify(ReactiveMailer mailer, MeterRegistry registry) {
        this.mailer = mailer;
        this.registry = registry;
    }

    /** Forgets which mails the user was sent (erasure); answers how many records went. */
    public Uni<Integer> erase(UUID userId) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                "delete from {h-schema}notifications where user_id = :user")
                .setParameter("user", userId).executeUpdate());
    }

    /** Sends {@code subject} and {@code text} to {@code to} unless {@code key} was sent before; runs in a session. */
    public Uni<Void> once(String key, String kind, UUID userId, String to, String subject, String text) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                "select count(*) from {h-schema}notifications where key = :key")
                .setParameter("key", key).getSingleResult())
                .chain(count -> ((Number) count).longValue() > 0 ? Uni.createFrom().voidItem()
                        : mailer.send(Mail.withText(to, subject, text))
                                .chain(() -> Panache.getSession().chain(session -> session.createNativeQuery("""
                                        insert into {h-schema}notifications (key, user_id, kind, sent_at)
                                        values (:key, :user, :kind, now()) on conflict do nothing""")
                                        .setParameter("key", key)
                                        .setParameter("user", userId)
                                        .setParameter("kind", kind)
                                        .executeUpdate()))
                                .invoke(() -> {
                                    registry.counter("tollgate.account.notifications", "kind", kind, "outcome", "sent")
                                            .increment();
                                    LOG.infof("notifications: %s sent to user %s", kind, userId);
                                })
                                .replaceWithVoid()
                                // a mail server that is away loses this mail, not the event that caused it
                                .onFailure().invoke(e -> {
                                    registry.counter("tollgate.account.notifications", "kind", kind, "outcome", "failed")
                                            .increment();
                                    LOG.warnf("notifications: %s to user %s could not be sent: %s", kind, userId, e.toString());
                                })
                                .onFailure().recoverWithNull());
    }
}
